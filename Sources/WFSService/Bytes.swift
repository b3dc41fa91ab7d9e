extension Array where Element == UInt8 {
    /// Appends the UTF-8 of a string.
    mutating func put(_ s: String) { append(contentsOf: s.utf8) }
}
