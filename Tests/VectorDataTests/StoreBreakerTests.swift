import Testing
@testable import VectorData

@Suite struct StoreBreakerTests {
    @Test func refusesAtOnceWhileDownLetsOneProbeThroughAndClosesOnSuccess() throws {
        let b = StoreBreaker(probeInterval: .milliseconds(500))
        let t0 = ContinuousClock.now
        try b.admit(now: t0)                                   // closed: through
        b.failed("connection refused", now: t0)
        #expect(b.isOpen)
        #expect(throws: VectorDataError.self) { try b.admit(now: t0 + .milliseconds(100)) }
        #expect(throws: VectorDataError.self) { try b.admit(now: t0 + .milliseconds(499)) }
        try b.admit(now: t0 + .milliseconds(500))              // the probe
        #expect(throws: VectorDataError.self) { try b.admit(now: t0 + .milliseconds(600)) }   // one probe at a time
        b.failed("connection refused", now: t0 + .milliseconds(700))
        #expect(throws: VectorDataError.self) { try b.admit(now: t0 + .milliseconds(1100)) }
        try b.admit(now: t0 + .milliseconds(1200))             // the next probe
        b.succeeded()
        #expect(!b.isOpen)
        try b.admit(now: t0 + .milliseconds(1201))
        try b.admit(now: t0 + .milliseconds(1202))
    }

    @Test func theRefusalSaysWhy() {
        let b = StoreBreaker()
        b.failed("no database connection within 8 seconds")
        do { try b.admit(); Issue.record("admitted while down") } catch {
            #expect("\(error)".contains("no database connection within 8 seconds"))
        }
    }
}
