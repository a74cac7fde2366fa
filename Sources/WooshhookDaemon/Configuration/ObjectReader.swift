import WooshPay

/// Reads one JSON object of the configuration, key by key, and remembers which keys it used so that every key it
/// did not use can be reported as unknown, with its full dotted name. The values are WooshPay's `JSONValue`, which
/// keeps whole numbers apart from fractions and `true` apart from `1`, so a key's type is checked as written.
struct ObjectReader {
    private let values: [String: JSONValue]
    private let prefix: String
    private var used: Set<String> = []

    init(_ values: [String: JSONValue], prefix: String) {
        self.values = values
        self.prefix = prefix
    }

    func dotted(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    /// Call last: the first unknown key (in sorted order) is an error.
    func rejectUnknownKeys() throws(ConfigurationError) {
        if let unknown = values.keys.filter({ !used.contains($0) }).sorted().first {
            throw .unknownKey(dotted(unknown), allowed: Array(used))
        }
    }

    /// Marks the key as known and returns its value unless absent or null.
    private mutating func take(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .integer(let whole) = value, let number = Int(exactly: whole) else {
            throw .wrongType(dotted(key), expected: "a whole number")
        }
        guard range.contains(number) else {
            throw ConfigurationError(dotted(key), "\(number) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = take(key) else { return nil }
        let number: Double
        switch value {
        case .integer(let whole): number = Double(whole)
        case .number(let fraction): number = fraction
        default: throw .wrongType(dotted(key), expected: "a number")
        }
        guard range.contains(number) else {
            throw ConfigurationError(dotted(key), "\(number) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw .wrongType(dotted(key), expected: "a string") }
        return text
    }

    mutating func requiredString(_ key: String) throws(ConfigurationError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw ConfigurationError(dotted(key), "is required (a non-empty string)")
        }
        return text
    }

    /// A value of a type that is its own list of names (`Logger.Level`, `StderrLogHandler.Format`).
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, as type: Choice.Type
    ) throws(ConfigurationError) -> Choice? where Choice.RawValue == String {
        try choice(key, among: Choice.allCases.map { (name: $0.rawValue, value: $0) })
    }

    /// The value named by the key's string, from `choices` in the order an error lists them.
    mutating func choice<Value>(
        _ key: String, among choices: [(name: String, value: Value)]
    ) throws(ConfigurationError) -> Value? {
        guard let text = try string(key) else { return nil }
        guard let choice = choices.first(where: { $0.name == text }) else {
            let allowed = choices.map(\.name).joined(separator: ", ")
            throw ConfigurationError(dotted(key), "\"\(text)\" is not one of: \(allowed)")
        }
        return choice.value
    }

    mutating func stringArray(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { throw .wrongType(dotted(key), expected: "an array of strings") }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw .wrongType("\(dotted(key))[\(index)]", expected: "a string")
            }
            strings.append(text)
        }
        return strings
    }

    mutating func object(_ key: String) throws(ConfigurationError) -> ObjectReader? {
        guard let value = take(key) else { return nil }
        guard case .object(let members) = value else { throw .wrongType(dotted(key), expected: "an object") }
        return ObjectReader(members, prefix: dotted(key))
    }

    mutating func objectArray(_ key: String) throws(ConfigurationError) -> [ObjectReader]? {
        guard let value = take(key) else { return nil }
        guard case .array(let items) = value else { throw .wrongType(dotted(key), expected: "an array of objects") }
        var readers: [ObjectReader] = []
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                throw .wrongType("\(dotted(key))[\(index)]", expected: "an object")
            }
            readers.append(ObjectReader(members, prefix: "\(dotted(key))[\(index)]"))
        }
        return readers
    }
}
