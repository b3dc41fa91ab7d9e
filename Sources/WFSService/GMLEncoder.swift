import Filters
import Geo
import OGCCore
import VectorData

/// GML 3.2 inside a WFS 2.0 `wfs:FeatureCollection`, or GML 3.1.1 inside a WFS 1.1.0 one.
///
/// The per-feature path writes bytes only: the tags of a feature type (member, feature and property elements,
/// the geometry writer with its `srsName`) are made once per query by `prepared(for:)`, values are copied
/// as UTF-8 and escaped only when they hold a character that needs it, and geometries go from WKB to text
/// without an intermediate `Geometry`.
struct GMLEncoder: FeatureEncoder {
    var version: WFSVersion
    var gml32: Bool { version == .v200 }
    /// The tags of the query's feature type, once `prepared(for:)`; made on the fly otherwise.
    private var tags: TypeTags?

    init(version: WFSVersion) { self.version = version }

    /// What a feature of one planned query is written with (a class: shared, never copied per feature).
    final class TypeTags: Sendable {
        let prefix: String
        let localName: String
        /// `<p:Name gml:id="`
        let featureOpen: [UInt8]
        /// `</p:Name>\n`
        let featureClose: [UInt8]
        /// The gml:id prefix, `Name.`, made a valid NCName start.
        let idPrefix: [UInt8]
        /// `<p:field>` and `</p:field>` per returned field.
        let fieldOpen: [[UInt8]]
        let fieldClose: [[UInt8]]
        let geometryOpen: [UInt8]
        let geometryClose: [UInt8]
        let writer: GMLGeometryWriter

        init(_ plan: PlannedQuery, gml32: Bool) {
            let p = plan.type.prefix, name = plan.type.localName
            prefix = p
            localName = name
            featureOpen = Array("<\(p):\(name) gml:id=\"".utf8)
            featureClose = Array("</\(p):\(name)>\n".utf8)
            idPrefix = Array(featureID(plan.type, "").utf8)
            fieldOpen = plan.fields.map { Array("<\(p):\($0.name)>".utf8) }
            fieldClose = plan.fields.map { Array("</\(p):\($0.name)>".utf8) }
            let col = plan.schema.table.geometryColumn
            geometryOpen = Array("<\(p):\(col)>".utf8)
            geometryClose = Array("</\(p):\(col)>".utf8)
            writer = GMLGeometryWriter(gml32: gml32, srsName: GMLEncoder.srsName(plan.outputCRS), swap: plan.swapOutput,
                                       decimals: GMLEncoder.decimals(plan.outputSRID))
        }
    }

    func prepared(for plan: PlannedQuery) -> any FeatureEncoder {
        var e = self
        e.tags = TypeTags(plan, gml32: gml32)
        return e
    }

    func begin(_ info: CollectionInfo, to out: inout [UInt8]) {
        out.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<wfs:FeatureCollection xmlns:wfs=\"\(version.wfsNamespace)\"")
        out.put(" xmlns:gml=\"\(version.gmlNamespace)\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
        for (p, ns) in info.namespaces { out.put(" xmlns:\(p)=\"\(xmlEscape(ns))\"") }
        let locs = ["\(version.wfsNamespace) \(version.wfsSchemaLocation)", "\(version.gmlNamespace) \(version.gmlSchemaLocation)"]
            + info.schemaLocations
        out.put(" xsi:schemaLocation=\"\(xmlEscape(locs.joined(separator: " ")))\" timeStamp=\"\(info.timeStamp)\"")
        if gml32 {
            out.put(" numberMatched=\"\(info.numberMatched)\" numberReturned=\"\(info.numberReturned)\"")
            if let n = info.next { out.put(" next=\"\(xmlEscape(n))\"") }
            if let p = info.previous { out.put(" previous=\"\(xmlEscape(p))\"") }
        } else {
            // WFS 1.1.0 has one count: of the features in the answer, or of all that match for hits.
            out.put(" numberOfFeatures=\"\(info.hits ? info.numberMatched : info.numberReturned)\"")
        }
        out.put(">\n")
    }

    func feature(_ f: Feature, _ plan: PlannedQuery, first: Bool, to out: inout [UInt8]) throws {
        let (open, close): (StaticString, StaticString) = gml32 ? ("<wfs:member>\n", "</wfs:member>\n")
            : ("<gml:featureMember>\n", "</gml:featureMember>\n")
        open.withUTF8Buffer { out.append(contentsOf: $0) }
        try bare(f, plan, to: &out)
        close.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// The feature element alone (GetFeatureById).
    func bare(_ f: Feature, _ plan: PlannedQuery, namespaceDeclaration: Bool = false, to out: inout [UInt8]) throws {
        let t: TypeTags
        if let tags, tags.localName == plan.type.localName, tags.prefix == plan.type.prefix { t = tags }
        else { t = TypeTags(plan, gml32: gml32) }
        // The closure below captures none of `plan`: capturing it copied the whole query for every feature.
        let includeGeometry = plan.includeGeometry, promote = plan.promoteToMulti
        let declaration = namespaceDeclaration
            ? " xmlns:\(plan.type.prefix)=\"\(xmlEscape(plan.type.namespaceURI))\" xmlns:gml=\"\(version.gmlNamespace)\"" : nil
        try withFeatureID(f.id, prefix: t.idPrefix) { fid in
            out.append(contentsOf: t.featureOpen)
            out.append(contentsOf: fid)
            out.append(UInt8(ascii: "\""))
            if let declaration { out.put(declaration) }
            out.append(UInt8(ascii: ">"))
            for i in 0..<min(t.fieldOpen.count, f.values.count) {
                let v = f.values[i]
                if case .null = v { continue }
                out.append(contentsOf: t.fieldOpen[i])
                switch v {
                case .string(let s): appendXMLEscaped(s, to: &out)
                case .int(let n): appendInteger(n, to: &out)
                default: out.put(xmlValue(v))
                }
                out.append(contentsOf: t.fieldClose[i])
            }
            if includeGeometry, let g = f.geometry, !g.isEmpty {
                out.append(contentsOf: t.geometryOpen)
                try geometryID(fid) { gid in
                    try g.withUnsafeBytes { w in
                        try t.writer.write(wkb: w, id: gid, promoteToMulti: promote, to: &out)
                    }
                }
                out.append(contentsOf: t.geometryClose)
            }
            out.append(contentsOf: t.featureClose)
        }
    }

    /// Calls `body` with the feature's gml:id (`featureID`), built on the stack for ASCII keys.
    private func withFeatureID(_ id: String, prefix: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var id = id
        let fast: Bool = try id.withUTF8 { u in
            let n = prefix.count + u.count
            guard n <= 240, !u.contains(where: { $0 >= 0x80 }) else { return false }
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buf in
                _ = buf.initialize(fromContentsOf: prefix)
                for (k, b) in u.enumerated() {
                    let ok = (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
                    buf[prefix.count + k] = ok ? b : 0x5F
                }
                try body(UnsafeBufferPointer(buf))
            }
            return true
        }
        if fast { return }
        var fid = prefix + Array(featureIDTail(id).utf8)
        try fid.withUnsafeMutableBufferPointer { try body(UnsafeBufferPointer($0)) }
    }

    /// `fid.geom`, on the stack.
    private func geometryID(_ fid: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let suffix: StaticString = ".geom"
        let n = fid.count + suffix.utf8CodeUnitCount
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { buf in
            _ = buf.initialize(fromContentsOf: fid)
            suffix.withUTF8Buffer { s in for (k, b) in s.enumerated() { buf[fid.count + k] = b } }
            try body(UnsafeBufferPointer(buf))
        }
    }

    func writer(_ plan: PlannedQuery) -> GMLGeometryWriter {
        GMLGeometryWriter(gml32: gml32, srsName: GMLEncoder.srsName(plan.outputCRS), swap: plan.swapOutput,
                          decimals: GMLEncoder.decimals(plan.outputSRID))
    }

    /// The srsName written: the urn form when the axes are in official order, else the GML `epsg.xml#` form
    /// (which readers take as x/y).
    static func srsName(_ crs: CRSName) -> String {
        if crs.isCRS84 { return crs.urn }
        return crs.swapsAxesInWFS || crs.spelling == .urn || crs.spelling == .uri ? crs.urn
            : "http://www.opengis.net/gml/srs/epsg.xml#\(crs.code)"
    }

    static func decimals(_ srid: Int) -> Int { CRSInfo.lookup(epsg: srid)?.units == .degrees ? 8 : 3 }

    func end(_ info: CollectionInfo, returned: Int, to out: inout [UInt8]) {
        out.put("</wfs:FeatureCollection>\n")
    }
}
