import Geo

/// Writes geometries as GML 3.2 (every geometry with a `gml:id`) or GML 3.1.1, with `posList`s in the axis
/// order of the output CRS.
///
/// Works straight from the WKB a store returns: no `Geometry` is built, each `posList` is one run of numbers
/// formatted into a stack buffer by `NumberFormatting.write` and appended to the output. The tags that do not
/// depend on the feature (the `srsName` attribute) are made once, when the writer is made (once per query).
struct GMLGeometryWriter: Sendable {
    let gml32: Bool
    let swap: Bool
    let decimals: Int
    /// ` srsName="…"` (escaped), on the top geometry element.
    private let srsAttribute: [UInt8]

    init(gml32: Bool, srsName: String, swap: Bool, decimals: Int) {
        self.gml32 = gml32
        self.swap = swap
        self.decimals = decimals
        srsAttribute = Array(" srsName=\"\(xmlEscapeAttribute(srsName))\"".utf8)
    }

    /// Writes a decoded geometry (through its WKB: one writer for both).
    func write(_ g: Geometry, id: String, promoteToMulti: Bool, to out: inout [UInt8]) {
        let wkb = WKB.encode(g)
        var idBytes = Array(id.utf8)
        try? wkb.withUnsafeBytes { w in
            try idBytes.withUnsafeMutableBufferPointer { i in
                try write(wkb: w, id: UnsafeBufferPointer(i), promoteToMulti: promoteToMulti, to: &out)
            }
        }
    }

    /// Writes the geometry held in `wkb` (ISO WKB or EWKB, either byte order). `id` is the top element's
    /// `gml:id` (GML 3.2); members get `id.1`, `id.2`, … in document order.
    func write(wkb: UnsafeRawBufferPointer, id: UnsafeBufferPointer<UInt8>, promoteToMulti: Bool,
               to out: inout [UInt8]) throws(WKB.DecodeError) {
        var c = WKBCursor(wkb)
        var counter = 0
        if promoteToMulti {
            let save = c
            let (t, _) = try c.header()
            c = save
            if (1...3).contains(t) {
                let multi: StaticString = t == 1 ? "MultiPoint" : t == 2 ? "MultiCurve" : "MultiSurface"
                let member: StaticString = t == 1 ? "pointMember" : t == 2 ? "curveMember" : "surfaceMember"
                open(multi, id: id, top: true, counter: &counter, to: &out)
                tag(member, close: false, &out)
                try element(&c, id: id, top: false, depth: 1, counter: &counter, to: &out)
                tag(member, close: true, &out)
                tag(multi, close: true, &out)
                return
            }
        }
        try element(&c, id: id, top: true, depth: 0, counter: &counter, to: &out)
    }

    private func lit(_ s: StaticString, _ out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// `<gml:name>` or `</gml:name>`.
    private func tag(_ name: StaticString, close: Bool, _ out: inout [UInt8]) {
        lit(close ? "</gml:" : "<gml:", &out)
        lit(name, &out)
        out.append(UInt8(ascii: ">"))
    }

    private func open(_ name: StaticString, id: UnsafeBufferPointer<UInt8>, top: Bool, counter: inout Int,
                      to out: inout [UInt8]) {
        lit("<gml:", &out)
        lit(name, &out)
        if gml32 {
            lit(" gml:id=\"", &out)
            out.append(contentsOf: id)
            if counter > 0 {
                out.append(UInt8(ascii: "."))
                appendInteger(Int64(counter), to: &out)
            }
            out.append(UInt8(ascii: "\""))
            counter += 1
        }
        if top { out.append(contentsOf: srsAttribute) }
        out.append(UInt8(ascii: ">"))
    }

    private func element(_ c: inout WKBCursor, id: UnsafeBufferPointer<UInt8>, top: Bool, depth: Int,
                         counter: inout Int, to out: inout [UInt8]) throws(WKB.DecodeError) {
        guard depth < 32 else { throw WKB.DecodeError(message: "nesting too deep") }
        let (t, dims) = try c.header()
        switch t {
        case 1:
            open("Point", id: id, top: top, counter: &counter, to: &out)
            lit("<gml:pos>", &out)
            let start = try c.points(1, dims: dims)
            coordinates(c, start, 1, dims, &out)
            lit("</gml:pos></gml:Point>", &out)
        case 2:
            open("LineString", id: id, top: top, counter: &counter, to: &out)
            try posList(&c, dims, &out)
            lit("</gml:LineString>", &out)
        case 3:
            open("Polygon", id: id, top: top, counter: &counter, to: &out)
            let n = try c.count(minBytesPerItem: 4)
            for i in 0..<n {
                lit(i == 0 ? "<gml:exterior><gml:LinearRing>" : "<gml:interior><gml:LinearRing>", &out)
                try posList(&c, dims, &out)
                lit(i == 0 ? "</gml:LinearRing></gml:exterior>" : "</gml:LinearRing></gml:interior>", &out)
            }
            lit("</gml:Polygon>", &out)
        default:
            let name: StaticString, member: StaticString, expected: UInt32?
            switch t {
            case 4: (name, member, expected) = ("MultiPoint", "pointMember", 1)
            case 5: (name, member, expected) = ("MultiCurve", "curveMember", 2)
            case 6: (name, member, expected) = ("MultiSurface", "surfaceMember", 3)
            default: (name, member, expected) = ("MultiGeometry", "geometryMember", nil)
            }
            open(name, id: id, top: top, counter: &counter, to: &out)
            let n = try c.count(minBytesPerItem: 5)
            for _ in 0..<n {
                if let expected {
                    var peek = c
                    guard try peek.header().type == expected else {
                        throw WKB.DecodeError(message: "\(name) member is not of the member type")
                    }
                }
                tag(member, close: false, &out)
                try element(&c, id: id, top: false, depth: depth + 1, counter: &counter, to: &out)
                tag(member, close: true, &out)
            }
            tag(name, close: true, &out)
        }
    }

    private func posList(_ c: inout WKBCursor, _ dims: Int, _ out: inout [UInt8]) throws(WKB.DecodeError) {
        let n = try c.count(minBytesPerItem: 8 * dims)
        let start = try c.points(n, dims: dims)
        lit("<gml:posList srsDimension=\"2\">", &out)
        coordinates(c, start, n, dims, &out)
        lit("</gml:posList>", &out)
    }

    /// `n` positions as one run of numbers separated by spaces, in chunks formatted on the stack.
    private func coordinates(_ c: WKBCursor, _ start: Int, _ n: Int, _ dims: Int, _ out: inout [UInt8]) {
        let chunk = 16
        let width = NumberFormatting.maxFastLength + 1
        let decimals = self.decimals, swap = self.swap
        var i = 0
        while i < n {
            let m = min(chunk, n - i)
            let done: Int = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk * 2 * width) { buf in
                let base = buf.baseAddress!
                var p = base
                var k = 0
                while k < m {
                    let mark = p
                    let (x, y) = c.xy(start, i + k, dims: dims)
                    if i + k > 0 { p.pointee = UInt8(ascii: " "); p += 1 }
                    guard let a = NumberFormatting.write(swap ? y : x, decimals: decimals, to: p) else { p = mark; break }
                    p += a
                    p.pointee = UInt8(ascii: " "); p += 1
                    guard let b = NumberFormatting.write(swap ? x : y, decimals: decimals, to: p) else { p = mark; break }
                    p += b
                    k += 1
                }
                out.append(contentsOf: UnsafeBufferPointer(start: base, count: p - base))
                return k
            }
            i += done
            if done < m {
                // A number too large for the fast path: this position the slow way, then go on.
                let (x, y) = c.xy(start, i, dims: dims)
                if i > 0 { out.append(UInt8(ascii: " ")) }
                NumberFormatting.append(swap ? y : x, decimals: decimals, to: &out)
                out.append(UInt8(ascii: " "))
                NumberFormatting.append(swap ? x : y, decimals: decimals, to: &out)
                i += 1
            }
        }
    }
}

/// Appends the decimal digits of an integer (no allocation).
func appendInteger(_ v: Int64, to out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
        var m = v.magnitude
        var i = 20
        repeat { i -= 1; buf[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10); m /= 10 } while m > 0
        if v < 0 { out.append(UInt8(ascii: "-")) }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
    }
}

/// Appends text escaped for XML content or attributes (`&`, `<`, `>`, `"`, `'`; control characters other
/// than tab, newline and carriage return dropped, as XML 1.0 forbids them), copying it unchanged when nothing
/// needs escaping.
func appendXMLEscaped(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { u in
        var needs = false
        for b in u where b < 0x40 && (b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 || b < 0x20) {
            needs = true; break
        }
        if !needs { out.append(contentsOf: u); return }
        for b in u {
            switch b {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&apos;".utf8)
            case 0x09, 0x0A, 0x0D: out.append(b)
            case ..<0x20: continue
            default: out.append(b)
            }
        }
    }
}

/// `xmlEscape` for an attribute value.
func xmlEscapeAttribute(_ s: String) -> String {
    var out: [UInt8] = []
    appendXMLEscaped(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}
