import Filters
import Geo
import ImageCodec
import Styling

/// A feature to draw: its geometry in the map CRS, and the attributes its style reads.
public struct RenderFeature: Sendable {
    public var id: String
    public var geometry: Geometry
    public var properties: [String: Value]

    public init(id: String, geometry: Geometry, properties: [String: Value]) {
        self.id = id; self.geometry = geometry; self.properties = properties
    }
}

/// One styled relation: features drawn with one user style; or an image already made for the view (a raster
/// layer under or over vector ones). Layers are drawn in array order (the first at the bottom).
public struct RenderLayer: Sendable {
    public var style: UserStyle
    public var features: [RenderFeature]
    /// The view's image, RGB or RGBA with premultiplied alpha, painted as it is.
    public var image: RasterImage?

    public init(style: UserStyle, features: [RenderFeature]) { self.style = style; self.features = features }

    public init(image: RasterImage) {
        self.style = UserStyle(featureTypeStyles: []); self.features = []; self.image = image
    }
}

/// What the image is drawn on.
public struct RenderBackground: Sendable, Equatable {
    public var colour: Colour
    /// True: the background is fully transparent (WMS TRANSPARENT=TRUE).
    public var transparent: Bool
    public init(colour: Colour = .white, transparent: Bool = false) { self.colour = colour; self.transparent = transparent }
}
