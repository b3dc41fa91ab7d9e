/// Slab names (§4 of the format note).
public enum SlabPath {
    private static let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    public static func base36(_ v: Int) -> String {
        precondition(v >= 0)
        if v == 0 { return "0" }
        var n = v, out: [Character] = []
        while n > 0 { out.append(digits[n % 36]); n /= 36 }
        return String(out.reversed())
    }

    /// The path of slab (col, row) relative to the image directory: `00/75/A2.tif`.
    public static func file(slabCol: Int, slabRow: Int, depth: Int) -> String {
        var c = Array(base36(slabCol)), r = Array(base36(slabRow))
        let len = max(depth + 1, c.count, r.count)
        c = Array(repeating: "0", count: len - c.count) + c
        r = Array(repeating: "0", count: len - r.count) + r
        let pairs = (0..<len).map { String([c[$0], r[$0]]) }
        let head = pairs[0 ..< len - depth].joined()
        let tail = pairs[(len - depth)...]
        return ([head] + tail).joined(separator: "/") + ".tif"
    }

    /// The object name of slab (col, row): `<prefix>_<col>_<row>`.
    public static func object(prefix: String, slabCol: Int, slabRow: Int) -> String {
        "\(prefix)_\(slabCol)_\(slabRow)"
    }
}
