import OGCCore

/// The SLD 1.0 written for a table published without a style of its own: one rule for its geometry family
/// (polygons: a light fill with a darker outline; lines: a stroke; points: a circle), in a colour taken from
/// the table's name so that the tables of one map differ.
public enum DefaultStyle {
    public enum Family: Sendable { case polygon, line, point, any }

    /// The family of a PostGIS column type (`geometry(MultiPolygon, 4326)`), nil when not a geometry.
    public static func family(ofColumnType t: String) -> Family? {
        let lower = t.lowercased()
        guard lower.hasPrefix("geometry") else { return nil }
        if lower.contains("polygon") || lower.contains("surface") { return .polygon }
        if lower.contains("line") || lower.contains("curve") { return .line }
        if lower.contains("point") { return .point }
        return .any
    }

    /// Colours of ColorBrewer's "Set1" and "Dark2" (fill and stroke are the same hue).
    static let palette = ["#E41A1C", "#377EB8", "#4DAF4A", "#984EA3", "#FF7F00", "#A65628", "#F781BF", "#1B9E77", "#D95F02", "#7570B3"]

    static func colour(for name: String) -> String {
        var h: UInt32 = 2166136261
        for b in name.utf8 { h = (h ^ UInt32(b)) &* 16777619 }
        return palette[Int(h % UInt32(palette.count))]
    }

    /// The SLD document; `name` is its layer and style name, `title` what a legend shows.
    public static func sld(name: String, title: String, family: Family) -> String {
        let c = colour(for: name)
        let polygon = """
                  <PolygonSymbolizer>
                    <Fill><CssParameter name="fill">\(c)</CssParameter><CssParameter name="fill-opacity">0.35</CssParameter></Fill>
                    <Stroke><CssParameter name="stroke">\(c)</CssParameter><CssParameter name="stroke-width">1</CssParameter></Stroke>
                  </PolygonSymbolizer>
            """
        let line = """
                  <LineSymbolizer>
                    <Stroke><CssParameter name="stroke">\(c)</CssParameter><CssParameter name="stroke-width">1.5</CssParameter></Stroke>
                  </LineSymbolizer>
            """
        let point = """
                  <PointSymbolizer>
                    <Graphic>
                      <Mark><WellKnownName>circle</WellKnownName>
                        <Fill><CssParameter name="fill">\(c)</CssParameter></Fill>
                        <Stroke><CssParameter name="stroke">#FFFFFF</CssParameter><CssParameter name="stroke-width">1</CssParameter></Stroke>
                      </Mark>
                      <Size>7</Size>
                    </Graphic>
                  </PointSymbolizer>
            """
        let symbolizers = switch family {
        case .polygon: polygon
        case .line: line
        case .point: point
        case .any: polygon + "\n" + line + "\n" + point
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <StyledLayerDescriptor version="1.0.0"
                xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc"
                xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
              <NamedLayer>
                <Name>\(xmlEscape(name))</Name>
                <UserStyle>
                  <Name>\(xmlEscape(name))</Name>
                  <Title>\(xmlEscape(title))</Title>
                  <IsDefault>1</IsDefault>
                  <FeatureTypeStyle>
                    <Rule>
                      <Name>\(xmlEscape(name))</Name>
                      <Title>\(xmlEscape(title))</Title>
            \(symbolizers)
                    </Rule>
                  </FeatureTypeStyle>
                </UserStyle>
              </NamedLayer>
            </StyledLayerDescriptor>

            """
    }
}
