/// The tile formats of ROK4 pyramids (descriptor `format`), with how ROK4 serves each.
public enum TileFormat: String, Sendable, CaseIterable {
    case rawUInt8 = "TIFF_RAW_UINT8"
    case jpgUInt8 = "TIFF_JPG_UINT8"
    case jpg90UInt8 = "TIFF_JPG90_UINT8"
    case pngUInt8 = "TIFF_PNG_UINT8"
    case lzwUInt8 = "TIFF_LZW_UINT8"
    case zipUInt8 = "TIFF_ZIP_UINT8"
    case pkbUInt8 = "TIFF_PKB_UINT8"
    case rawFloat32 = "TIFF_RAW_FLOAT32"
    case lzwFloat32 = "TIFF_LZW_FLOAT32"
    case pkbFloat32 = "TIFF_PKB_FLOAT32"
    case zipFloat32 = "TIFF_ZIP_FLOAT32"
    case pbfMVT = "TIFF_PBF_MVT"

    public var isVector: Bool { self == .pbfMVT }

    /// The MIME type ROK4 gives the tiles (WMTS `FORMAT`).
    public var mimeType: String {
        switch self {
        case .jpgUInt8, .jpg90UInt8: "image/jpeg"
        case .pngUInt8: "image/png"
        case .pbfMVT: "application/x-protobuf"
        case .rawFloat32, .zipFloat32: "image/x-bil;bits=32"
        default: "image/tiff"
        }
    }

    /// The extension of TMS tile URLs (as the ROK4 C++ server writes it).
    public var fileExtension: String {
        switch self {
        case .jpgUInt8, .jpg90UInt8: "jpeg"
        case .pngUInt8: "png"
        case .pbfMVT: "pbf"
        case .rawFloat32: "bil"
        case .zipFloat32: "zbil"
        default: "tif"
        }
    }

    /// Tiles that are served byte for byte (the others would need a TIFF wrapper, not done yet).
    public var servedAsIs: Bool {
        switch self {
        case .jpgUInt8, .jpg90UInt8, .pngUInt8, .pbfMVT: true
        default: false
        }
    }
}
