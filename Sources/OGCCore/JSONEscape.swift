/// Escapes a string for inclusion in a JSON string literal (without the quotes).
public func jsonEscape(_ s: some StringProtocol) -> String {
    var out: [UInt8] = []
    appendJSONEscaped(String(s), to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends the UTF-8 of `s` escaped for a JSON string literal (without the quotes): `"`, `\\` and control
/// characters. Works on the bytes: runs with nothing to escape are copied at once.
public func appendJSONEscaped(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { buf in
        var start = 0
        for i in 0..<buf.count {
            let b = buf[i]
            guard b == 0x22 || b == 0x5C || b < 0x20 else { continue }
            if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i])) }
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
            start = i + 1
        }
        if start < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<buf.count])) }
    }
}

/// Appends `s` as a JSON string literal, quotes included.
public func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(0x22)
    appendJSONEscaped(s, to: &out)
    out.append(0x22)
}
