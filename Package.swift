// swift-tools-version:6.0
import PackageDescription

/// Passerelle: one module per concern.
///
/// C libraries (system, from Debian)      C*            thin module maps + shims
/// I/O-free core                          OGCCore       KVP, OGC exceptions, XML writing, bbox, CRS names
/// XML parsing (libxml2, no DTD/XXE)      SafeXML
/// Geometry, reprojection, GEOS           Geo
/// Filters (FES 2.0 / Filter 1.1 / CQL)   Filters
/// Config model + hot reloader            Config
/// Vector stores (PostGIS, GeoPackage)    VectorData
/// S3 client (SigV4, keep-alive pool)     ObjectStorage
/// Tile storage (ROK4 pyramids)           TileStore
/// SLD / SE styles                        Styling
/// Image decoding/encoding (GDAL, Cairo) ImageCodec
/// Drawing (Cairo)                        Rendering
/// Shared service plumbing                ServiceKit
/// One module per OGC service family      WFSService, WMSService, TileServices
/// Import: file → checks → PostGIS     Ingest
/// Publish: configurations + offerings    Publishing
/// HTTP server, dispatch, status, metrics PasserelleServer
/// The `passerelle` command line          passerelle
let package = Package(
    name: "Passerelle",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "passerelle", targets: ["passerelle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // C libraries
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CRSVG", pkgConfig: "librsvg-2.0", providers: [.apt(["librsvg2-dev"])]),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Core, I/O free
        .target(name: "OGCCore"),
        .target(name: "SafeXML", dependencies: ["CLibXML2", "OGCCore"]),
        .target(name: "Geo", dependencies: ["CProj", "CGEOS", "OGCCore"]),
        .target(name: "Filters", dependencies: ["OGCCore", "SafeXML", "Geo"]),

        // The config directory: its model, and the loader that reads and watches it
        .target(name: "Config", dependencies: [
            "OGCCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Data and tiles
        .target(name: "VectorData", dependencies: [
            "OGCCore", "Geo", "Filters", "Config", "CSQLite",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // S3-compatible object storage: SigV4, a blocking keep-alive HTTP/1.1 client (issue 15)
        .target(name: "ObjectStorage", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "TileStore", dependencies: ["OGCCore", "ObjectStorage", .product(name: "NIOPosix", package: "swift-nio")]),
        // Pyramid processing (issue 12): slab/descriptor writing, then the GDAL jobs that build pyramids
        .target(name: "PyramidWriter", dependencies: ["TileStore", "Config"]),
        .target(name: "Processing", dependencies: ["PyramidWriter", "TileStore", "Config", "ImageCodec", "CGDAL"]),

        // Styling and drawing
        .target(name: "Styling", dependencies: ["OGCCore", "SafeXML", "Filters", "Geo"]),
        .target(name: "ImageCodec", dependencies: ["CGDAL", "CCairo", "CZlib"]),
        .target(name: "Rendering", dependencies: ["OGCCore", "Geo", "Styling", "ImageCodec", "CCairo", "CRSVG"]),

        // Services
        .target(name: "ServiceKit", dependencies: [
            "OGCCore", "Config", "CZlib",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "WFSService", dependencies: ["ServiceKit", "VectorData", "Filters", "Geo", "SafeXML"]),
        .target(name: "WMSService", dependencies: ["ServiceKit", "VectorData", "Styling", "Rendering", "Filters", "Geo", "SafeXML",
                                                  "TileServices", "TileStore", "ImageCodec", "CCairo"]),
        .target(name: "TileServices", dependencies: ["ServiceKit", "TileStore", "ImageCodec", "Geo"]),

        // Making what is served
        .target(name: "Ingest", dependencies: [
            "CGDAL", "Config", "Geo", "VectorData",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Publishing", dependencies: ["Config", "OGCCore"]),

        // Server and CLI
        .target(name: "PasserelleServer", dependencies: [
            "OGCCore", "Config", "ServiceKit", "VectorData", "TileStore", "Styling",
            "WFSService", "WMSService", "TileServices",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "passerelle", dependencies: [
            "PasserelleServer", "Config", "Ingest", "Publishing", "ServiceKit", "VectorData", "Processing", "PyramidWriter", "TileStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Fuzzing of the parsers that take client input (scripts/fuzz.sh; not part of the test run)
        .executableTarget(name: "passerelle-fuzz", dependencies: ["OGCCore", "Filters", "Styling"]),

        // Tests
        .testTarget(name: "OGCCoreTests", dependencies: ["OGCCore"]),
        .testTarget(name: "SafeXMLTests", dependencies: ["SafeXML", "OGCCore"]),
        .testTarget(name: "GeoTests", dependencies: ["Geo"]),
        .testTarget(name: "ImageCodecTests", dependencies: ["ImageCodec"]),
        .testTarget(name: "FiltersTests", dependencies: ["Filters"]),
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "TileStoreTests", dependencies: ["TileStore", "ObjectStorage", .product(name: "Crypto", package: "swift-crypto")],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ObjectStorageTests", dependencies: ["ObjectStorage"]),
        .testTarget(name: "PyramidWriterTests", dependencies: ["PyramidWriter", "Processing", "TileStore", "Config", "ImageCodec", "CGDAL"]),
        .testTarget(name: "StylingTests", dependencies: ["Styling"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "Styling", "OGCCore", "Filters", "Geo", "ImageCodec", "CCairo"]),
        .testTarget(name: "VectorDataTests", dependencies: ["VectorData"]),
        .testTarget(name: "WFSServiceTests", dependencies: ["WFSService", "VectorData", "Config", "ServiceKit", "SafeXML", "Geo"]),
        .testTarget(name: "WMSServiceTests", dependencies: ["WMSService", "VectorData", "Config", "ServiceKit", "ImageCodec", "Geo", "TileStore"]),
        .testTarget(name: "TileServicesTests", dependencies: ["TileServices", "TileStore", "Config", "ServiceKit", "ImageCodec"]),
        .testTarget(name: "IngestTests", dependencies: [
            "Ingest", "Config", "VectorData",
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "PublishingTests", dependencies: ["Publishing", "Config", "Styling"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "CZlib", "Config", "OGCCore"]),
        .testTarget(name: "ServerTests", dependencies: [
            "PasserelleServer",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
