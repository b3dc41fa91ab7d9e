import Testing
@testable import VectorData

@Suite struct ReadTargetBalancerTests {
    @Test func withoutReplicasEveryReadGoesToThePrimary() {
        let b = ReadTargetBalancer(names: ["PG"])
        for _ in 0..<3 { #expect(b.order() == [0]) }
        b.markDown(0, reason: "refused")
        #expect(b.order() == [0])                              // the last resort, even when down
        #expect(b.order(excluding: [0]) == [])
    }

    @Test func idleReplicasTakeReadsInTurnAndThePrimaryComesLast() {
        let b = ReadTargetBalancer(names: ["PG", "R1", "R2"])
        let firsts = (0..<6).map { _ in b.order().first! }
        #expect(firsts == [1, 2, 1, 2, 1, 2])
        let o = b.order()
        #expect(Set(o.prefix(2)) == [1, 2] && o.last == 0 && o.count == 3)
    }

    @Test func theLeastBusyReplicaGoesFirst() {
        let b = ReadTargetBalancer(names: ["PG", "R1", "R2", "R3"])
        b.began(1); b.began(1); b.began(3)
        for _ in 0..<4 { #expect(b.order() == [2, 3, 1, 0]) }
        b.ended(1); b.ended(1)
        b.began(2)
        #expect(b.order().prefix(1) == [1])
        b.ended(3); b.ended(3)                                 // never below zero
        #expect(b.status.map(\.inFlight) == [0, 0, 1, 0])
        #expect(b.status.map(\.reads) == [0, 2, 1, 1])
    }

    @Test func aReplicaMarkedDownIsLeftOutUntilMarkedUp() {
        let b = ReadTargetBalancer(names: ["PG", "R1", "R2"])
        #expect(b.markDown(1, reason: "connection refused"))
        #expect(!b.markDown(1, reason: "connection refused again"))  // already down
        for _ in 0..<4 { #expect(b.order() == [2, 0]) }
        #expect(b.downTargets == [1])
        #expect(b.status[1] == ReadTargetStatus(name: "R1", role: .replica, up: false, reason: "connection refused again", inFlight: 0, reads: 0))
        b.markDown(2, reason: "admin shutdown")
        #expect(b.order() == [0])                              // every replica down: the primary
        b.markUp(1)
        #expect(b.order() == [1, 0])
        #expect(b.status.map(\.up) == [true, true, false])
        #expect(b.status[1].reason == nil)
    }

    @Test func aRetryGoesToATargetNotTriedYet() {
        let b = ReadTargetBalancer(names: ["PG", "R1", "R2"])
        #expect(b.order(excluding: [1]) == [2, 0])
        #expect(b.order(excluding: [1, 2]) == [0])
        #expect(b.order(excluding: [0, 1, 2]) == [])
        b.markDown(0, reason: "down")
        #expect(b.order(excluding: [2]).last == 0)             // the primary stays, down or not
    }
}
