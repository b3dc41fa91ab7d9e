/// An attribute value of a feature, or a literal in a filter.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var description: String {
        switch self {
        case .null: ""
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): b ? "true" : "false"
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string(let s): Double(s)
        case .bool(let b): b ? 1 : 0
        case .null: nil
        }
    }
}

/// The type of an attribute column.
public enum FieldType: String, Sendable, Codable {
    case string, integer, real, boolean, date, dateTime, binary
}

public struct FieldInfo: Sendable, Equatable {
    public var name: String
    public var type: FieldType
    public init(name: String, type: FieldType) { self.name = name; self.type = type }
}
