import TextFormats

/// The 32 bytes of a SHA-256 digest (or of an HMAC-SHA256), held inline: making one allocates nothing.
public struct SHA256Digest: Sendable, Equatable {
    public static let byteCount = 32

    private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    mutating func withUnsafeMutableBytes<Result>(_ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows
        -> Result
    {
        try Swift.withUnsafeMutableBytes(of: &storage, body)
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hex, the form the journal and WooshPay's `v1` use.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    public static func == (left: Self, right: Self) -> Bool {
        left.withUnsafeBytes { left in right.withUnsafeBytes { right in left.elementsEqual(right) } }
    }
}
