import Geo
import ImageCodec
import OGCCore
import Rendering
import Styling

/// The map part shared by GetMap and GetFeatureInfo: layers, styles, CRS, box, size, format, background.
struct WMSMapParameters: Sendable {
    var version: WMSVersion
    var layers: [String]
    /// One entry per layer ("" for the default style); empty when STYLES was absent or empty.
    var styles: [String]
    var crs: CRSName
    var crsInfo: CRSInfo
    /// In east/north order whatever the request's axis order.
    var bbox: BBox
    var width: Int
    var height: Int
    var format: ImageFormat
    var transparent: Bool
    var background: Colour
    var sldBody: StyledLayerDescriptor?

    var view: MapView {
        MapView(bbox: bbox, width: width, height: height,
                metresPerUnit: crsInfo.isGeographic ? MapView.metresPerDegree : 1)
    }

    /// Parses the parameters. `requireFormat`: GetMap needs FORMAT; GetFeatureInfo tolerates its absence.
    static func parse(_ kvp: KVP, version: WMSVersion, limits: WMSLimits, requireFormat: Bool,
                      layersParameter: String = "LAYERS") throws(OGCError) -> WMSMapParameters {
        // Size first: an absurd WIDTH is refused before anything costs time.
        let width = try size(kvp, "WIDTH", max: limits.maxWidth)
        let height = try size(kvp, "HEIGHT", max: limits.maxHeight)
        guard width * height <= limits.maxPixels else {
            throw OGCError.invalid("WIDTH", "WIDTH × HEIGHT may not exceed \(limits.maxPixels) pixels")
        }
        if kvp.nonEmpty("SLD") != nil {
            throw OGCError.invalid("SLD", "Remote SLD documents are not fetched: send the style in SLD_BODY")
        }
        var sldBody: StyledLayerDescriptor? = nil
        if let body = kvp["SLD_BODY"], !body.trimmingSpaces.isEmpty {
            guard body.utf8.count <= limits.maxSLDBytes else {
                throw OGCError.invalid("SLD_BODY", "SLD_BODY is larger than \(limits.maxSLDBytes) bytes")
            }
            var parser = SLDParser(graphicsDirectory: nil, limits: .init(maxBytes: limits.maxSLDBytes, maxDepth: 32, locator: "SLD_BODY"))
            sldBody = try parser.parse(Array(body.utf8), maxBytes: limits.maxSLDBytes)
        }
        var layers: [String] = []
        if let l = kvp.list(layersParameter) { layers = l }
        if layers.isEmpty || layers.allSatisfy({ $0.isEmpty }) {
            if sldBody == nil { throw OGCError.missing(layersParameter) }
            layers = sldBody!.layers.compactMap(\.name)
        }
        // A request naming thousands of layers (or one layer thousands of times) would cost as many renders.
        guard layers.count <= limits.maxLayers else {
            throw OGCError.invalid(layersParameter, "\(layersParameter) names \(layers.count) layers; at most \(limits.maxLayers) (max_map_layers)")
        }
        if let empty = layers.firstIndex(where: { $0.isEmpty }) {
            throw OGCError(.layerNotDefined, locator: layersParameter, "Layer \(empty + 1) of \(layersParameter) is empty")
        }
        let styles = kvp.list("STYLES") ?? []
        if !styles.isEmpty && styles.count != layers.count && !(styles.count == 1 && styles[0].isEmpty) {
            throw OGCError(.styleNotDefined, locator: "STYLES", "STYLES must list one style per layer (\(layers.count)), or be empty")
        }

        let crsName = version.crsParameter
        // Clients mixing the versions' names (SRS in 1.3.0, CRS in 1.1.1) are forgiven.
        guard let crsRaw = kvp.nonEmpty(crsName) ?? kvp.nonEmpty(version == .v130 ? "SRS" : "CRS") else {
            throw OGCError.missing(crsName)
        }
        guard let crs = CRSName.parse(crsRaw), let info = CRSInfo.lookup(crs) else {
            throw OGCError(version.invalidCRSCode, locator: crsName, "Unknown \(crsName) \(crsRaw)")
        }
        // WMS 1.3.0 follows the CRS's official axis order (EPSG:4326 is latitude first); 1.1.1 and CRS:84 do not.
        let swap = version == .v130 && info.isNorthFirst && !crs.isCRS84
        let (bbox, _) = try BBox.parse(try kvp.required("BBOX"), swapAxes: swap)
        guard !bbox.isEmpty else { throw OGCError.invalid("BBOX", "BBOX must have a positive width and height") }

        var format = ImageFormat.png
        if let f = kvp.nonEmpty("FORMAT") {
            guard let parsed = ImageFormat.parse(f), ImageEncoder.availableFormats.contains(parsed) else {
                throw OGCError(.invalidFormat, locator: "FORMAT", "Format \(f) is not supported")
            }
            format = parsed
        } else if requireFormat {
            throw OGCError.missing("FORMAT")
        }
        let transparent: Bool
        switch kvp.nonEmpty("TRANSPARENT")?.uppercased() {
        case nil, "FALSE", "0": transparent = false
        case "TRUE", "1": transparent = true
        default: throw OGCError.invalid("TRANSPARENT", "TRANSPARENT must be TRUE or FALSE")
        }
        var background = Colour.white
        if let b = kvp.nonEmpty("BGCOLOR") {
            guard let c = Colour.parse(b) else { throw OGCError.invalid("BGCOLOR", "BGCOLOR must be 0xRRGGBB") }
            background = c
        }
        return WMSMapParameters(version: version, layers: layers, styles: styles, crs: crs, crsInfo: info, bbox: bbox,
                                width: width, height: height, format: format, transparent: transparent && format != .jpeg,
                                background: background, sldBody: sldBody)
    }

    static func size(_ kvp: KVP, _ name: String, max: Int) throws(OGCError) -> Int {
        let raw = try kvp.required(name)
        guard let v = Int(raw), v > 0, v <= max else {
            throw OGCError.invalid(name, "\(name) must be an integer between 1 and \(max)")
        }
        return v
    }

    func style(at index: Int) -> String {
        index < styles.count ? styles[index] : ""
    }
}

/// The limits GetMap applies (from the server settings).
struct WMSLimits: Sendable {
    var maxWidth: Int
    var maxHeight: Int
    var maxPixels: Int
    var maxFeatures: Int
    var maxSLDBytes: Int
    var maxLayers: Int = 100
}

