/// Tokens of CQL/ECQL text.
enum CQLToken: Equatable {
    case word(String)          // identifier or keyword (as written)
    case quotedName(String)    // "double quoted" identifier
    case string(String)        // 'single quoted' literal
    case number(Double, isInteger: Bool, text: String)
    case symbol(String)        // ( ) , = <> < > <= >= + - * / ;
    case end

    var keyword: String? { if case .word(let w) = self { return w.uppercased() }; return nil }
}

struct CQLLexer {
    /// Splits `text` into tokens; nil message on success.
    static func tokenize(_ text: String) -> Result<[CQLToken], CQLSyntaxError> {
        var out: [CQLToken] = []
        let s = Array(text.unicodeScalars)
        var i = 0
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) || c == "." || c == ":" }
        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            if c == "'" || c == "\"" {
                var v = String.UnicodeScalarView()
                var j = i + 1
                var closed = false
                while j < s.count {
                    if s[j] == c {
                        if j + 1 < s.count && s[j + 1] == c { v.append(c); j += 2; continue }
                        closed = true; break
                    }
                    v.append(s[j]); j += 1
                }
                guard closed else { return .failure(CQLSyntaxError(message: "Unterminated quoted text")) }
                out.append(c == "'" ? .string(String(v)) : .quotedName(String(v)))
                i = j + 1; continue
            }
            if ("0"..."9").contains(c) || (c == "." && i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
                var j = i
                var text = ""
                var isInt = true
                while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "." || s[j] == "e" || s[j] == "E"
                        || ((s[j] == "-" || s[j] == "+") && j > i && (s[j - 1] == "e" || s[j - 1] == "E")) {
                    if s[j] == "." || s[j] == "e" || s[j] == "E" { isInt = false }
                    text.unicodeScalars.append(s[j]); j += 1
                }
                guard let d = Double(text), d.isFinite else { return .failure(CQLSyntaxError(message: "Bad number \(text)")) }
                out.append(.number(d, isInteger: isInt && Int64(text) != nil, text: text))
                i = j; continue
            }
            if isIdentStart(c) {
                var j = i
                var w = String.UnicodeScalarView()
                while j < s.count, isIdent(s[j]) { w.append(s[j]); j += 1 }
                out.append(.word(String(w)))
                i = j; continue
            }
            let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
            if ["<>", "<=", ">=", "!="].contains(two) { out.append(.symbol(two == "!=" ? "<>" : two)); i += 2; continue }
            if "()=<>,+-*/;".unicodeScalars.contains(c) { out.append(.symbol(String(c))); i += 1; continue }
            return .failure(CQLSyntaxError(message: "Unexpected character '\(c)'"))
        }
        out.append(.end)
        return .success(out)
    }
}

struct CQLSyntaxError: Error { var message: String }
