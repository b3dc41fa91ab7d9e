import CGEOS
import OGCCore

public struct GEOSError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "GEOS error: \(message)" }
}

/// Collects GEOS error messages of one context.
private final class GEOSMessages {
    var last: String = ""
}

/// A GEOS reentrant context with its WKB reader and writer. Not Sendable: create one per task or per
/// thread-pool job and use it there (creation is cheap). Geometries handled through it are plain Swift
/// `Geometry` values (converted through WKB).
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    private let reader: OpaquePointer
    private let writer: OpaquePointer
    private let messages = GEOSMessages()

    public init() {
        handle = GEOS_init_r()
        GEOSContext_setErrorMessageHandler_r(handle, { msg, userData in
            guard let msg, let userData else { return }
            Unmanaged<GEOSMessages>.fromOpaque(userData).takeUnretainedValue().last = String(cString: msg)
        }, Unmanaged.passUnretained(messages).toOpaque())
        reader = GEOSWKBReader_create_r(handle)
        writer = GEOSWKBWriter_create_r(handle)
        GEOSWKBWriter_setOutputDimension_r(handle, writer, 2)
        GEOSWKBWriter_setByteOrder_r(handle, writer, 1)
    }

    deinit {
        GEOSWKBReader_destroy_r(handle, reader)
        GEOSWKBWriter_destroy_r(handle, writer)
        GEOS_finish_r(handle)
    }

    fileprivate func error(_ what: String) -> GEOSError {
        GEOSError(messages.last.isEmpty ? what : "\(what): \(messages.last)")
    }

    // MARK: conversion

    /// A GEOS geometry owned by the caller (destroy with `destroy`).
    func make(_ g: Geometry) throws(GEOSError) -> OpaquePointer {
        let wkb = WKB.encode(g)
        let p = wkb.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, reader, $0.baseAddress, $0.count) }
        guard let p else { throw error("cannot read geometry") }
        return p
    }

    func make(wkb: UnsafeRawBufferPointer) throws(GEOSError) -> OpaquePointer {
        guard let base = wkb.baseAddress,
              let p = GEOSWKBReader_read_r(handle, reader, base.assumingMemoryBound(to: UInt8.self), wkb.count)
        else { throw error("cannot read geometry") }
        return p
    }

    func destroy(_ p: OpaquePointer) { GEOSGeom_destroy_r(handle, p) }

    func toGeometry(_ p: OpaquePointer) throws(GEOSError) -> Geometry {
        var size = 0
        guard let buf = GEOSWKBWriter_write_r(handle, writer, p, &size) else { throw error("cannot write geometry") }
        defer { GEOSFree_r(handle, buf) }
        do { return try WKB.decode(UnsafeRawBufferPointer(start: buf, count: size)) }
        catch { throw GEOSError(error.description) }
    }

    private func with<T>(_ g: Geometry, _ body: (OpaquePointer) throws(GEOSError) -> T) throws(GEOSError) -> T {
        let p = try make(g)
        defer { destroy(p) }
        return try body(p)
    }

    private func unary(_ g: Geometry, _ what: String, _ op: (OpaquePointer) -> OpaquePointer?) throws(GEOSError) -> Geometry {
        try with(g) { (p) throws(GEOSError) -> Geometry in
            guard let r = op(p) else { throw error(what) }
            defer { destroy(r) }
            return try toGeometry(r)
        }
    }

    // MARK: predicates

    public enum Predicate: String, Sendable, CaseIterable {
        case intersects, disjoint, contains, within, touches, crosses, overlaps, equals
    }

    public func evaluate(_ predicate: Predicate, _ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool {
        let pa = try make(a)
        defer { destroy(pa) }
        let pb = try make(b)
        defer { destroy(pb) }
        return try evaluate(predicate, pa, pb)
    }

    func evaluate(_ predicate: Predicate, _ pa: OpaquePointer, _ pb: OpaquePointer) throws(GEOSError) -> Bool {
        let r: CChar
        switch predicate {
        case .intersects: r = GEOSIntersects_r(handle, pa, pb)
        case .disjoint: r = GEOSDisjoint_r(handle, pa, pb)
        case .contains: r = GEOSContains_r(handle, pa, pb)
        case .within: r = GEOSWithin_r(handle, pa, pb)
        case .touches: r = GEOSTouches_r(handle, pa, pb)
        case .crosses: r = GEOSCrosses_r(handle, pa, pb)
        case .overlaps: r = GEOSOverlaps_r(handle, pa, pb)
        case .equals: r = GEOSEquals_r(handle, pa, pb)
        }
        guard r != 2 else { throw error("\(predicate.rawValue) failed") }
        return r == 1
    }

    public func intersects(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.intersects, a, b) }
    public func contains(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.contains, a, b) }
    public func within(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.within, a, b) }
    public func disjoint(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.disjoint, a, b) }
    public func touches(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.touches, a, b) }
    public func crosses(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.crosses, a, b) }
    public func overlaps(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.overlaps, a, b) }
    public func equals(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Bool { try evaluate(.equals, a, b) }

    /// The minimum Cartesian distance between two geometries.
    public func distance(_ a: Geometry, _ b: Geometry) throws(GEOSError) -> Double {
        let pa = try make(a)
        defer { destroy(pa) }
        let pb = try make(b)
        defer { destroy(pb) }
        var d = 0.0
        guard GEOSDistance_r(handle, pa, pb, &d) == 1 else { throw error("distance failed") }
        return d
    }

    // MARK: validity and operations

    public func isValid(_ g: Geometry) throws(GEOSError) -> Bool {
        try with(g) { (p) throws(GEOSError) -> Bool in
            let r = GEOSisValid_r(handle, p)
            guard r != 2 else { throw error("isValid failed") }
            return r == 1
        }
    }

    /// Why a WKB geometry is invalid ("Self-intersection[2.35 48.85]"), or nil when it is valid. Reads the
    /// WKB straight into GEOS, with no Swift `Geometry` in between (the import checks call it per feature).
    public func invalidityReason(wkb: UnsafeRawBufferPointer) throws(GEOSError) -> String? {
        let p = try make(wkb: wkb)
        defer { destroy(p) }
        let r = GEOSisValid_r(handle, p)
        guard r != 2 else { throw error("isValid failed") }
        if r == 1 { return nil }
        guard let reason = GEOSisValidReason_r(handle, p) else { return "invalid geometry" }
        defer { GEOSFree_r(handle, reason) }
        return String(cString: reason)
    }

    public func makeValid(_ g: Geometry) throws(GEOSError) -> Geometry {
        try unary(g, "makeValid failed") { GEOSMakeValid_r(handle, $0) }
    }

    /// Simplifies with a topology-preserving Douglas-Peucker.
    public func simplify(_ g: Geometry, tolerance: Double) throws(GEOSError) -> Geometry {
        try unary(g, "simplify failed") { GEOSTopologyPreserveSimplify_r(handle, $0, tolerance) }
    }

    /// The part of a geometry inside a rectangle (fast; the result may be invalid on the rectangle's edges,
    /// which is fine for drawing). Nil when nothing is left.
    public func clip(_ g: Geometry, to rect: BBox) throws(GEOSError) -> Geometry? {
        let r = try unary(g, "clip failed") { GEOSClipByRect_r(handle, $0, rect.minX, rect.minY, rect.maxX, rect.maxY) }
        return r.isEmpty ? nil : r
    }

    // MARK: prepared geometries

    /// A literal geometry prepared for many predicate evaluations (e.g. one filter over many features).
    public final class Prepared {
        let ctx: GEOSContext
        let geom: OpaquePointer
        let prepared: OpaquePointer

        init(ctx: GEOSContext, geometry: Geometry) throws(GEOSError) {
            self.ctx = ctx
            geom = try ctx.make(geometry)
            guard let p = GEOSPrepare_r(ctx.handle, geom) else {
                GEOSGeom_destroy_r(ctx.handle, geom)
                throw ctx.error("prepare failed")
            }
            prepared = p
        }

        deinit {
            GEOSPreparedGeom_destroy_r(ctx.handle, prepared)
            GEOSGeom_destroy_r(ctx.handle, geom)
        }

        /// `predicate(literal, other)`: e.g. `.contains` means the literal contains `other`.
        public func evaluate(_ predicate: Predicate, _ other: Geometry) throws(GEOSError) -> Bool {
            let o = try ctx.make(other)
            defer { ctx.destroy(o) }
            return try evaluate(predicate, handle: o)
        }

        private func evaluate(_ predicate: Predicate, handle o: OpaquePointer) throws(GEOSError) -> Bool {
            let h = ctx.handle
            let r: CChar
            switch predicate {
            case .intersects: r = GEOSPreparedIntersects_r(h, prepared, o)
            case .disjoint: r = GEOSPreparedDisjoint_r(h, prepared, o)
            case .contains: r = GEOSPreparedContains_r(h, prepared, o)
            case .within: r = GEOSPreparedWithin_r(h, prepared, o)
            case .touches: r = GEOSPreparedTouches_r(h, prepared, o)
            case .crosses: r = GEOSPreparedCrosses_r(h, prepared, o)
            case .overlaps: r = GEOSPreparedOverlaps_r(h, prepared, o)
            case .equals: r = GEOSEquals_r(h, geom, o)
            }
            guard r != 2 else { throw ctx.error("\(predicate.rawValue) failed") }
            return r == 1
        }

        /// `predicate(literal, other)` with `other` given as WKB (e.g. the WKB part of a GeoPackage blob),
        /// without building a Swift `Geometry`.
        public func evaluate(_ predicate: Predicate, wkb: UnsafeRawBufferPointer) throws(GEOSError) -> Bool {
            let o = try ctx.make(wkb: wkb)
            defer { ctx.destroy(o) }
            return try evaluate(predicate, handle: o)
        }

        /// The distance from the literal to a geometry given as WKB.
        public func distance(wkb: UnsafeRawBufferPointer) throws(GEOSError) -> Double {
            let o = try ctx.make(wkb: wkb)
            defer { ctx.destroy(o) }
            var d = 0.0
            guard GEOSDistance_r(ctx.handle, geom, o, &d) == 1 else { throw ctx.error("distance failed") }
            return d
        }

        /// The distance from the literal to `other`.
        public func distance(to other: Geometry) throws(GEOSError) -> Double {
            let o = try ctx.make(other)
            defer { ctx.destroy(o) }
            var d = 0.0
            guard GEOSDistance_r(ctx.handle, geom, o, &d) == 1 else { throw ctx.error("distance failed") }
            return d
        }
    }

    public func prepare(_ g: Geometry) throws(GEOSError) -> Prepared { try Prepared(ctx: self, geometry: g) }
}


extension Geometry {
    /// True when the geometry has no coordinates.
    public var isEmpty: Bool {
        var any = false
        forEachCoord { _ in any = true }
        return !any
    }
}
