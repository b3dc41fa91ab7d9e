import Crypto

/// The SHA-256 of a tile in lower-case hex, as the fixtures' manifest writes it.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { b in
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
    }.joined()
}
