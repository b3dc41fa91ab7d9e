import Geo

/// The style of a relation that names none: GeoServer-like defaults per geometry type (blue-grey fill with a
/// darker outline, a dark blue line, a square point).
public enum DefaultStyles {
    public static func style(for type: GeometryType) -> UserStyle {
        let symbolizers: [Symbolizer]
        switch type {
        case .polygon, .multiPolygon:
            symbolizers = [.polygon(PolygonSymbolizer(fill: Fill(colour: Colour(r: 0xAA, g: 0xAA, b: 0xAA)),
                                                     stroke: Stroke(colour: Colour(r: 0x33, g: 0x33, b: 0x33), width: 1)))]
        case .lineString, .multiLineString:
            symbolizers = [.line(LineSymbolizer(stroke: Stroke(colour: Colour(r: 0x00, g: 0x00, b: 0xFF), width: 1)))]
        case .point, .multiPoint:
            symbolizers = [.point(PointSymbolizer(graphic: Graphic(mark: Mark(shape: .square, fill: Fill(colour: Colour(r: 0xFF, g: 0x00, b: 0x00)),
                                                                                stroke: nil), size: 6)))]
        case .geometryCollection, .unknown:
            symbolizers = [.polygon(PolygonSymbolizer(fill: Fill(colour: Colour(r: 0xAA, g: 0xAA, b: 0xAA)),
                                                     stroke: Stroke(colour: Colour(r: 0x33, g: 0x33, b: 0x33), width: 1))),
                           .point(PointSymbolizer(graphic: Graphic(mark: Mark(shape: .square, fill: Fill(colour: Colour(r: 0xFF, g: 0, b: 0)), stroke: nil), size: 6)))]
        }
        let rule = Rule(name: "default", title: type.rawValue, symbolizers: symbolizers)
        return UserStyle(name: "default", title: "Default \(type.rawValue) style", isDefault: true,
                         featureTypeStyles: [FeatureTypeStyle(rules: [rule])])
    }
}
