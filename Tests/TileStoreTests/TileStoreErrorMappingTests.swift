import OGCCore
import Testing
import TileStore

/// The one mapping of pyramid errors to what a client is answered (the dispatcher applies it to every service).
@Suite struct TileStoreErrorMappingTests {
    @Test func storageDownIsA503WorthRetrying() {
        let e = TileStoreError.unavailable("s3://bucket/pyr/IMAGE/12/0/0", "timed out").ogcError
        #expect(e.code == .serviceUnavailable && e.status == 503)
        #expect(!e.message.contains("bucket"), "the storage's location must stay in the log")
    }

    @Test func anUnreadablePyramidIsTheServersError() {
        for error in [TileStoreError.corruptSlab("/data/pyr/12/0/0.tif", "truncated index"),
                      .io("/data/pyr/12/0/0.tif", "permission denied"),
                      .invalidDescriptor("/data/pyr.json", "bad level")] {
            let e = error.ogcError
            #expect(e.code == .noApplicableCode && e.status == 500, "\(error)")
            #expect(!e.message.contains("/data"), "paths must stay in the log: \(e.message)")
        }
    }
}
