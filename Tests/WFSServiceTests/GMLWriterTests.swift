import Foundation
import Geo
import SafeXML
import Testing
@testable import WFSService

/// The GML writer works from WKB bytes; these parse what it writes (libxml2 through SafeXML) and compare it
/// with the geometry it was given.
@Suite struct GMLWriterTests {
    static let gml32 = "http://www.opengis.net/gml/3.2"
    static let gml311 = "http://www.opengis.net/gml"

    /// Writes `g` and parses it inside a root element declaring the gml prefix.
    func written(_ g: Geometry, gml32: Bool = true, swap: Bool = false, promote: Bool = false, wkb: [UInt8]? = nil,
                 srsName: String = "urn:ogc:def:crs:EPSG::4326") throws -> XMLElement {
        let w = GMLGeometryWriter(gml32: gml32, srsName: srsName, swap: swap, decimals: 8)
        var out = Array("<r xmlns:gml=\"\(gml32 ? Self.gml32 : Self.gml311)\">".utf8)
        let bytes = wkb ?? WKB.encode(g)
        let id = Array("f.7.geom".utf8)
        try bytes.withUnsafeBytes { b in
            try id.withUnsafeBufferPointer { i in try w.write(wkb: b, id: i, promoteToMulti: promote, to: &out) }
        }
        out += Array("</r>".utf8)
        let root = try SafeXML.parse(out)
        return try #require(root.children.first)
    }

    func numbers(_ e: XMLElement) -> [Double] {
        e.trimmedText.split(separator: " ").compactMap { Double($0) }
    }

    func flat(_ cs: [Coord], swap: Bool) -> [Double] { cs.flatMap { swap ? [$0.y, $0.x] : [$0.x, $0.y] } }

    static let outer = [Coord(2.1, 48.1), Coord(2.9, 48.1), Coord(2.9, 48.9), Coord(2.1, 48.9), Coord(2.1, 48.1)]
    static let hole = [Coord(2.4, 48.4), Coord(2.6, 48.4), Coord(2.6, 48.6), Coord(2.4, 48.4)]
    static let other = [Coord(-1.123456789, 43.00000001), Coord(-1.2, 43.1), Coord(-1.3, 43.0), Coord(-1.123456789, 43.00000001)]

    @Test func multiPolygonWithHoleGML32() throws {
        let g = Geometry.multiPolygon([[Self.outer, Self.hole], [Self.other]])
        let e = try written(g, swap: true)
        #expect(e.name == "MultiSurface" && e.namespace == Self.gml32)
        #expect(e.attribute("id", namespace: Self.gml32) == "f.7.geom")
        #expect(e.attribute("srsName") == "urn:ogc:def:crs:EPSG::4326")
        let members = e.children("surfaceMember", namespace: Self.gml32)
        #expect(members.count == 2)
        let polys = members.compactMap { $0.child("Polygon", namespace: Self.gml32) }
        #expect(polys.map { $0.attribute("id", namespace: Self.gml32) } == ["f.7.geom.1", "f.7.geom.2"])
        #expect(polys.allSatisfy { $0.attribute("srsName") == nil })
        let p0 = polys[0]
        let ext = try #require(p0.child("exterior", namespace: Self.gml32)?.child("LinearRing", namespace: Self.gml32)?
            .child("posList", namespace: Self.gml32))
        #expect(ext.attribute("srsDimension") == "2")
        #expect(numbers(ext) == flat(Self.outer, swap: true))
        let holes = p0.children("interior", namespace: Self.gml32)
        #expect(holes.count == 1)
        let h = try #require(holes.first?.child("LinearRing", namespace: Self.gml32)?.child("posList", namespace: Self.gml32))
        #expect(numbers(h) == flat(Self.hole, swap: true))
        let o = try #require(polys[1].child("exterior", namespace: Self.gml32)?.child("LinearRing", namespace: Self.gml32)?
            .child("posList", namespace: Self.gml32))
        // 8 decimals: -1.123456789 is written -1.12345679.
        #expect(numbers(o) == [43.00000001, -1.12345679, 43.1, -1.2, 43.0, -1.3, 43.00000001, -1.12345679])
    }

    @Test func gml311HasNoIdsAndKeepsXYWhenNotSwapped() throws {
        let g = Geometry.polygon([Self.outer, Self.hole])
        let e = try written(g, gml32: false, swap: false, srsName: "http://www.opengis.net/gml/srs/epsg.xml#4326")
        #expect(e.name == "Polygon" && e.namespace == Self.gml311)
        #expect(e.attribute("id", namespace: Self.gml311) == nil)
        #expect(e.attribute("srsName") == "http://www.opengis.net/gml/srs/epsg.xml#4326")
        let ext = try #require(e.child("exterior", namespace: Self.gml311)?.child("LinearRing", namespace: Self.gml311)?
            .child("posList", namespace: Self.gml311))
        #expect(numbers(ext) == flat(Self.outer, swap: false))
        #expect(e.children("interior", namespace: Self.gml311).count == 1)
    }

    @Test func otherMultiGeometriesAndPromotion() throws {
        let mp = try written(.multiPoint([Coord(1, 2), Coord(3.5, -4.25)]), swap: true)
        #expect(mp.name == "MultiPoint")
        let pts = mp.children("pointMember", namespace: Self.gml32).compactMap { $0.child("Point", namespace: Self.gml32) }
        #expect(pts.map { $0.attribute("id", namespace: Self.gml32) } == ["f.7.geom.1", "f.7.geom.2"])
        #expect(pts.compactMap { $0.child("pos", namespace: Self.gml32) }.map(numbers) == [[2, 1], [-4.25, 3.5]])

        let ml = try written(.multiLineString([[Coord(0, 0), Coord(1, 1)], [Coord(2, 2), Coord(3, 3), Coord(4, 5)]]))
        #expect(ml.name == "MultiCurve")
        let lines = ml.children("curveMember", namespace: Self.gml32).compactMap { $0.child("LineString", namespace: Self.gml32) }
        #expect(lines.compactMap { $0.child("posList", namespace: Self.gml32) }.map(numbers) == [[0, 0, 1, 1], [2, 2, 3, 3, 4, 5]])

        let gc = try written(.collection([.point(Coord(1, 2)), .polygon([Self.outer]), .multiPoint([Coord(5, 6)])]))
        #expect(gc.name == "MultiGeometry")
        let kinds = gc.children("geometryMember", namespace: Self.gml32).compactMap { $0.children.first?.name }
        #expect(kinds == ["Point", "Polygon", "MultiPoint"])
        var ids: [String] = []
        func collect(_ e: XMLElement) {
            if let id = e.attribute("id", namespace: Self.gml32) { ids.append(id) }
            e.children.forEach(collect)
        }
        collect(gc)
        #expect(ids == ["f.7.geom", "f.7.geom.1", "f.7.geom.2", "f.7.geom.3", "f.7.geom.4"])

        // A single polygon in a multi-polygon table is written as a one-member MultiSurface.
        let promoted = try written(.polygon([Self.outer]), promote: true)
        #expect(promoted.name == "MultiSurface")
        #expect(promoted.attribute("srsName") != nil)
        let inner = try #require(promoted.child("surfaceMember", namespace: Self.gml32)?.child("Polygon", namespace: Self.gml32))
        #expect(inner.attribute("id", namespace: Self.gml32) == "f.7.geom.1")
        #expect(inner.attribute("srsName") == nil)
        // A multi-geometry is not promoted again.
        let already = try written(.multiPolygon([[Self.outer]]), promote: true)
        #expect(already.children("surfaceMember", namespace: Self.gml32).count == 1)
    }

    /// PostGIS EWKB (SRID, big-endian, Z) gives the same GML as 2D little-endian ISO WKB.
    @Test func ewkbBigEndianWithZ() throws {
        func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        func be64(_ v: Double) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.bigEndian) { Array($0) } }
        // POLYGON Z with SRID 4326, big-endian (XDR): flags Z (0x80000000) and SRID (0x20000000).
        var ewkb: [UInt8] = [0]
        ewkb += be32(0xA000_0003) + be32(4326) + be32(1) + be32(UInt32(Self.outer.count))
        for c in Self.outer { ewkb += be64(c.x) + be64(c.y) + be64(35.5) }
        let a = try written(.polygon([Self.outer]), swap: true, wkb: ewkb)
        let b = try written(.polygon([Self.outer]), swap: true)
        #expect(a == b)
        // Truncated or unknown WKB is an error, not a crash.
        #expect(throws: WKB.DecodeError.self) { try written(.point(Coord(0, 0)), wkb: Array(ewkb.prefix(40))) }
        #expect(throws: WKB.DecodeError.self) { try written(.point(Coord(0, 0)), wkb: [1, 9, 0, 0, 0]) }
    }

    /// Text is escaped only where it must be, and parses back to itself (control characters, not allowed in
    /// XML 1.0, are dropped).
    @Test func escapingOfAttributeText() throws {
        for (s, back) in [("Saint-Étienne", "Saint-Étienne"), ("A & B <c> \"d\" 'e'", "A & B <c> \"d\" 'e'"),
                          ("tab\there\u{1}", "tab\there"), ("", "")] {
            var out = Array("<r a=\"".utf8)
            appendXMLEscaped(s, to: &out)
            out += Array("\">".utf8)
            appendXMLEscaped(s, to: &out)
            out += Array("</r>".utf8)
            let r = try SafeXML.parse(out)
            #expect(r.text == back)
            #expect(r.attribute("a") == back.replacingOccurrences(of: "\t", with: " "))  // attribute normalisation
        }
        var plain: [UInt8] = []
        appendXMLEscaped("Gélacourt", to: &plain)
        #expect(plain == Array("Gélacourt".utf8))
    }

    /// The allocation-free formatter gives the text of the one it replaced (kept here as the reference).
    @Test func fastNumberFormattingMatchesTheReference() {
        func reference(_ v: Double, _ decimals: Int) -> String {
            guard v.isFinite else { return "0" }
            let d = max(0, min(decimals, 15))
            var scale = 1.0
            for _ in 0..<d { scale *= 10 }
            let scaled = (abs(v) * scale).rounded()
            guard scaled < 9.0e15 else { return d > 0 ? reference(v, d - 1) : String(Int64(v.rounded())) }
            var n = UInt64(scaled)
            if n == 0 { return "0" }
            var frac = d
            while frac > 0 && n % 10 == 0 { n /= 10; frac -= 1 }
            var digits = Array(String(n))
            while digits.count <= frac { digits.insert("0", at: 0) }
            if frac > 0 { digits.insert(".", at: digits.count - frac) }
            return (v < 0 ? "-" : "") + String(digits)
        }
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 1e-9, -1e-9, 48.8566, 2.3522, 180, -180, 1e15, 9.1e15, 1e17, -123456789.123456789,
                                .nan, .infinity, 0.000000005, 0.000000015, 99999999.999999999]
        for _ in 0..<20_000 {
            values.append(Double.random(in: -200...200, using: &rng))
            values.append(Double.random(in: -2e7...2e7, using: &rng))
        }
        for d in [0, 1, 2, 3, 5, 7, 8, 9, 15] {
            for v in values {
                #expect(NumberFormatting.string(v, decimals: d) == reference(v, d), "\(v) at \(d) decimals")
            }
        }
    }
}

/// The GML of a whole answer, parsed, against the GeoJSON of the same features.
@Suite struct GMLAnswerTests {
    let f = WFSFixture.shared
    static let wfs = "http://www.opengis.net/wfs/2.0"
    static let gml = "http://www.opengis.net/gml/3.2"

    @Test func gmlCoordinatesAndAttributesAreThoseOfTheGeoJSON() async throws {
        let q = "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:departements&COUNT=4&SORTBY=code"
        let g = try await f.get(q)
        let j = try await f.get(q + "&OUTPUTFORMAT=application/json")
        #expect(g.status == 200 && j.status == 200)
        let root = try SafeXML.parse(Array(g.body.utf8), maxBytes: 64 * 1024 * 1024)
        #expect(root.attribute("numberReturned") == "4")
        let members = root.children("member", namespace: Self.wfs)
        #expect(members.count == 4)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(j.body.utf8)) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(features.count == 4)
        var ids = Set<String>()
        for (m, jf) in zip(members, features) {
            let feature = try #require(m.children.first)
            let fid = try #require(feature.attribute("id", namespace: Self.gml))
            #expect(jf["id"] as? String == fid)
            let props = try #require(jf["properties"] as? [String: Any])
            #expect(feature.child("code")?.text == props["code"] as? String)
            #expect(feature.child("nom")?.text == props["nom"] as? String)
            // Every gml:id in the answer is unique.
            func collect(_ e: XMLElement) {
                if let id = e.attribute("id", namespace: Self.gml) { #expect(ids.insert(id).inserted, "\(id)") }
                e.children.forEach(collect)
            }
            collect(feature)
            // The posLists, lat/lon, are the GeoJSON rings, lon/lat (GeoJSON has 7 decimals, GML 8).
            let geom = try #require(jf["geometry"] as? [String: Any])
            let polys = try #require(geom["coordinates"] as? [[[[Double]]]])
            var lists: [XMLElement] = []
            func posLists(_ e: XMLElement) {
                if e.name == "posList" { lists.append(e) }
                e.children.forEach(posLists)
            }
            posLists(feature)
            let rings = polys.flatMap { $0 }
            #expect(lists.count == rings.count)
            for (l, ring) in zip(lists, rings) {
                let n = l.trimmedText.split(separator: " ").compactMap { Double($0) }
                #expect(n.count == ring.count * 2)
                for (k, pt) in ring.enumerated() where 2 * k + 1 < n.count {
                    #expect(abs(n[2 * k] - pt[1]) <= 1.5e-7 && abs(n[2 * k + 1] - pt[0]) <= 1.5e-7)
                }
            }
        }
    }
}
