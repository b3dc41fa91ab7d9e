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

/// Escapes a string for inclusion in a JSON string literal (without the quotes).
public func jsonEscape(_ s: some StringProtocol) -> String {
    var needs = false
    for u in s.utf8 where u == 0x22 || u == 0x5C || u < 0x20 { needs = true; break }
    if !needs { return String(s) }
    var out = ""
    out.reserveCapacity(s.utf8.count + 8)
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if ch.value < 0x20 {
                let hex = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out
}
