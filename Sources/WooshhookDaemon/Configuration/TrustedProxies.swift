#if canImport(Glibc)
    import Glibc
#endif

/// `trusted_proxies`: peers whose `X-Forwarded-For` / `X-Real-IP` we believe (README, "Configuration" and "Deploy").
///
/// Entries are addresses or CIDR blocks ("10.0.0.0/8", "fd00::/8"); an operator behind a load balancer pool expects
/// blocks to work. Addresses are compared as bytes, so "::ffff:127.0.0.1" and "127.0.0.1" are different peers.
public struct TrustedProxies: Sendable, Equatable {
    /// The entries as written, for `check-config`.
    public let entries: [String]
    private let blocks: [Block]

    private struct Block: Sendable, Equatable {
        let address: [UInt8]
        let prefixLength: Int
    }

    /// Parses the entries; returns nil with the first bad entry via `invalidEntry`.
    public init(_ entries: [String]) {
        self.entries = entries
        self.blocks = entries.compactMap(Self.parseBlock)
    }

    /// The first entry that is neither an address nor a CIDR block, if any.
    public var invalidEntry: String? {
        entries.first { Self.parseBlock($0) == nil }
    }

    /// Whether `address` (a bare IP) is one of the trusted proxies.
    public func contains(_ address: String) -> Bool {
        guard !blocks.isEmpty, let bytes = Self.addressBytes(address) else { return false }
        return blocks.contains { Self.matches(bytes, $0) }
    }

    /// The client address behind a trusted peer: `X-Forwarded-For` read right to left, skipping trusted addresses;
    /// else `X-Real-IP`; else the peer itself.
    public func clientAddress(peer: String, forwardedFor: String?, realIP: String?) -> String {
        guard contains(peer) else { return peer }
        if let forwardedFor {
            var lastTrusted: String?
            for part in forwardedFor.split(separator: ",").reversed() {
                let candidate = Self.bareAddress(part.trimmingSpaces())
                guard Self.addressBytes(candidate) != nil else { return lastTrusted ?? peer }
                if !contains(candidate) { return candidate }
                lastTrusted = candidate
            }
            if let lastTrusted { return lastTrusted }
        }
        if let realIP {
            let candidate = Self.bareAddress(realIP.trimmingSpaces())
            if Self.addressBytes(candidate) != nil { return candidate }
        }
        return peer
    }

    /// Strips a port or brackets that some proxies add ("[::1]:443", "203.0.113.5:1234").
    static func bareAddress(_ text: String) -> String {
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<end])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            return String(text[..<colon])
        }
        return text
    }

    private static func parseBlock(_ entry: String) -> Block? {
        let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = addressBytes(String(parts[0])) else { return nil }
        var prefix = address.count * 8
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...address.count * 8).contains(value) else { return nil }
            prefix = value
        }
        return Block(address: address, prefixLength: prefix)
    }

    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func matches(_ address: [UInt8], _ block: Block) -> Bool {
        guard address.count == block.address.count else { return false }
        var remaining = block.prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != block.address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension String {
    func trimmingSpaces() -> String { Substring(self).trimmingSpaces() }
}
