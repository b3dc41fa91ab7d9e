extension Duration {
    /// The whole nanoseconds of this duration (for NIO's `TimeAmount`).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
