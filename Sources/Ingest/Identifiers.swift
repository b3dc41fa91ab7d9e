import Foundation

/// How a source's layer and field names become PostgreSQL identifiers that can be written unquoted in SQL,
/// CQL and OGC filters (docs/import.md):
///
/// 1. accents are removed and letters lower-cased (`Département` → `departement`);
/// 2. every character other than `a-z`, `0-9` and `_` becomes `_`, runs of `_` become one, and `_` is trimmed
///    at both ends;
/// 3. a name starting with a digit gets a leading `_` (`2024` → `_2024`); an empty name becomes `field`;
/// 4. a PostgreSQL reserved word gets a trailing `_` (`order` → `order_`);
/// 5. the name is cut to 63 bytes (PostgreSQL's `NAMEDATALEN`);
/// 6. a name already taken (by an earlier field, or by `fid` and `geom`, which the import adds) gets `_2`, `_3`…
public enum Identifiers {
    /// Steps 1–5 for one name.
    public static func normalise(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
            .lowercased()
        var out = ""
        var lastUnderscore = false
        for scalar in folded.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if ok {
                out.unicodeScalars.append(scalar); lastUnderscore = false
            } else if !lastUnderscore {
                out.append("_"); lastUnderscore = true
            }
        }
        while out.hasPrefix("_") { out.removeFirst() }
        while out.hasSuffix("_") { out.removeLast() }
        if out.isEmpty { out = "field" }
        if let f = out.unicodeScalars.first, ("0"..."9").contains(f) { out = "_" + out }
        if reservedWords.contains(out) { out += "_" }
        return String(out.prefix(63))
    }

    /// Normalises a list of names in order, making each unique among themselves and `taken`. Returns the new
    /// names, in the same order.
    public static func normalise(_ names: [String], taken: Set<String> = []) -> [String] {
        var used = taken
        return names.map { raw in
            let base = normalise(raw)
            var name = base
            var n = 2
            while used.contains(name) {
                let suffix = "_\(n)"
                name = String(base.prefix(63 - suffix.utf8.count)) + suffix
                n += 1
            }
            used.insert(name)
            return name
        }
    }

    /// `"name"` with embedded quotes doubled: for identifiers in SQL text.
    public static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// PostgreSQL 15's reserved key words (Appendix C, "reserved" and "reserved (can be function or type)"),
    /// which cannot be column names without quotes.
    public static let reservedWords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
        "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
        "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
        "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike",
        "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left",
        "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only",
        "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
        "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then", "to",
        "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window",
        "with",
    ]
}
