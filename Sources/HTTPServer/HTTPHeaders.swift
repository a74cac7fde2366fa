/// Request headers as received: names compared ASCII case-insensitively, values kept as bytes (they may hold
/// non-ASCII bytes, which must never crash anything).
public struct HTTPHeaders: Sendable, Sequence {
    /// Names are stored lowercased.
    private var fields: [(name: String, value: [UInt8])] = []

    public init() {}

    init(capacity: Int) {
        fields.reserveCapacity(Swift.max(0, capacity))
    }

    mutating func append(name: String, value: [UInt8]) {
        fields.append((name, value))
    }

    /// The first value of `name`, trimmed of spaces and tabs.
    public func first(_ name: String) -> [UInt8]? {
        // Callers name headers in lowercase already: look the name up as given first, and lowercase it (an
        // allocation for names over 15 bytes) only when it has a capital to lower. Most lookups of absent headers
        // (`x-forwarded-for` without a proxy) end at the check.
        if let field = fields.first(where: { $0.name == name }) { return field.value }
        guard name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
        let lowered = name.lowercased()
        return fields.first { $0.name == lowered }?.value
    }

    /// The first value of `name` when it is valid UTF-8.
    public func string(_ name: String) -> String? {
        guard let bytes = first(name) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: [UInt8])]> {
        fields.makeIterator()
    }
}
