/// Escapes text for XML character data and attribute values.
public func xmlEscape(_ s: some StringProtocol) -> String {
    var needs = false
    for u in s.utf8 where u == 0x26 || u == 0x3C || u == 0x3E || u == 0x22 || u == 0x27 || u < 0x20 {
        needs = true; break
    }
    if !needs { return String(s) }
    var out = ""
    out.reserveCapacity(s.utf8.count + 16)
    for ch in s.unicodeScalars {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(ch)
        default:
            // Control characters are not allowed in XML 1.0: drop them.
            if ch.value < 0x20 { continue }
            out.unicodeScalars.append(ch)
        }
    }
    return out
}
