import TextFormats

/// A single strict pass over the body (RFC 8259) that validates all of it and picks out the envelope's fields,
/// for the receive path: several times cheaper than `JSONDecoder`, which builds containers for `data` and
/// `data.object` only to be asked whether they are objects. It is also stricter: `JSONDecoder` never looks at
/// values nobody asks for, so it lets `{"a":01}`, `[1,]` or a bad escape through; this refuses them (not JSON
/// is 400). Anything it cannot settle exactly as `JSONDecoder` would (escaped keys or values of interest, a
/// duplicate key, a `created` that is not a plain integer, a byte-order mark, deep nesting) makes it step aside
/// (`nil`), and `JSONDecoder` decides. Tests and the fuzz target check that what it accepts, `JSONDecoder` reads
/// the same way.
struct EnvelopeScanner {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    /// The outcome for a body already known to be UTF-8: the envelope, a refusal, or nil for "ask JSONDecoder".
    static func scan(_ body: UnsafeRawBufferPointer) -> Result<EventEnvelope, Rejection>? {
        var scanner = EnvelopeScanner(bytes: body)
        return scanner.envelope()
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private struct StepAside: Error {}
    private struct Invalid: Error {}

    private enum Kind { case object, array, string, number, boolean, null }

    private mutating func envelope() -> Result<EventEnvelope, Rejection>? {
        var id: String?
        var type: String?
        var created: Int64?
        var livemode: Bool?
        var apiVersion: String?
        var dataKind: Kind?
        var objectKind: Kind?
        do {
            // A byte-order mark is JSONDecoder's to judge.
            if peek() == 0xEF { throw StepAside() }
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else {
                _ = try value(depth: 0)
                try end()
                return .failure(Rejection(.invalidPayload, "the body must be a JSON object"))
            }
            var seen: UInt8 = 0
            try members(depth: 0) { scanner, rawKey, keyIsEscaped in
                // An escaped key may spell one of ours ("\u0069d"): JSONDecoder's to judge.
                if keyIsEscaped { throw StepAside() }
                guard let key = Field(rawKey) else {
                    _ = try scanner.value(depth: 1)
                    return
                }
                guard seen & key.rawValue == 0 else { throw StepAside() }
                seen |= key.rawValue
                scanner.skipWhitespace()
                if key == .data {
                    // Read in the same pass (it is most of the body): its kind, and the kind of its `object`.
                    if scanner.peek() == UInt8(ascii: "{") {
                        dataKind = .object
                        objectKind = try scanner.objectMemberKind(depth: 1)
                    } else {
                        dataKind = try scanner.value(depth: 1)
                    }
                    return
                }
                let start = scanner.index
                let kind = try scanner.value(depth: 1)
                let raw = UnsafeRawBufferPointer(rebasing: scanner.bytes[start..<scanner.index])
                switch key {
                case .id: id = kind == .string ? try Self.plainString(raw) : nil
                case .type: type = kind == .string ? try Self.plainString(raw) : nil
                case .apiVersion: apiVersion = kind == .string ? try Self.plainString(raw) : nil
                case .livemode: livemode = kind == .boolean ? raw.first == UInt8(ascii: "t") : nil
                case .data: return
                case .created:
                    // `created`. A digit string counts too on the JSONDecoder path (lenient integers): let it decide.
                    if kind == .string { throw StepAside() }
                    created = kind == .number ? try Self.integer(raw) : nil
                }
            }
            try end()
        } catch is StepAside {
            return nil
        } catch {
            return .failure(Rejection(.invalidPayload, "the body is not valid JSON"))
        }
        guard let id, !id.isEmpty else {
            return .failure(Rejection(.invalidPayload, "\"id\" is missing or is not a non-empty string"))
        }
        guard let type, !type.isEmpty else {
            return .failure(Rejection(.invalidPayload, "\"type\" is missing or is not a non-empty string"))
        }
        guard dataKind == .object else {
            return .failure(Rejection(.invalidPayload, "\"data\" is missing or is not an object"))
        }
        guard objectKind == .object else { return .failure(EnvelopeFields.objectRejection) }
        return .success(
            EventEnvelope(
                id: id, type: type, created: created, livemode: livemode,
                apiVersion: apiVersion?.isEmpty == false ? apiVersion : nil))
    }

    /// Walks the object at the cursor (as `value` would) and returns the kind of its `object` member (nil when
    /// absent).
    private mutating func objectMemberKind(depth: Int) throws -> Kind? {
        var kind: Kind?
        var seen = false
        try members(depth: depth) { scanner, rawKey, keyIsEscaped in
            if keyIsEscaped { throw StepAside() }
            if Self.spells(rawKey, "object") {
                if seen { throw StepAside() }
                seen = true
                kind = try scanner.value(depth: depth + 1)
            } else {
                _ = try scanner.value(depth: depth + 1)
            }
        }
        return kind
    }

    /// The envelope's members, as bits of a set: matched on the key's bytes, since every key of the body (those
    /// of `data` too) is looked at and a String per key would be an allocation each.
    private enum Field: UInt8 {
        case id = 1
        case type = 2
        case created = 4
        case livemode = 8
        case apiVersion = 16
        case data = 32

        /// The member a key token (quotes included, no escapes) names, if one of ours.
        init?(_ token: UnsafeRawBufferPointer) {
            switch token.count - 2 {
            case 2 where EnvelopeScanner.spells(token, "id"): self = .id
            case 4 where EnvelopeScanner.spells(token, "type"): self = .type
            case 4 where EnvelopeScanner.spells(token, "data"): self = .data
            case 7 where EnvelopeScanner.spells(token, "created"): self = .created
            case 8 where EnvelopeScanner.spells(token, "livemode"): self = .livemode
            case 11 where EnvelopeScanner.spells(token, "api_version"): self = .apiVersion
            default: return nil
            }
        }
    }

    /// Whether a string token (quotes included) holds exactly `word`.
    private static func spells(_ token: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard token.count == count + 2 else { return false }
        for offset in 0..<count where token[offset + 1] != word.utf8Start[offset] { return false }
        return true
    }

    /// A string token without escapes, as its text; an escaped one steps aside.
    private static func plainString(_ raw: UnsafeRawBufferPointer) throws -> String {
        let inner = UnsafeRawBufferPointer(rebasing: raw[1..<raw.count - 1])
        guard !inner.contains(UInt8(ascii: "\\")) else { throw StepAside() }
        return String(decoding: inner, as: UTF8.self)
    }

    /// A number token that is a plain integer fitting Int64; a fraction, exponent or overflow steps aside.
    private static func integer(_ raw: UnsafeRawBufferPointer) throws -> Int64 {
        guard raw.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }),
            let value = Int64(String(decoding: raw, as: UTF8.self))
        else { throw StepAside() }
        return value
    }

    // MARK: - The grammar

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func end() throws {
        skipWhitespace()
        guard index == bytes.count else { throw Invalid() }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else { throw Invalid() }
        index += 1
    }

    /// Walks `{ "key": value, … }`, handing each key token (quotes included) and whether it holds escapes to
    /// `member`, which must consume the value.
    private mutating func members(
        depth: Int, _ member: (inout EnvelopeScanner, UnsafeRawBufferPointer, Bool) throws -> Void
    ) throws {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let start = index
            let escaped = try string()
            let key = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(&self, key, escaped)
            skipWhitespace()
            guard let next = peek() else { throw Invalid() }
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Invalid() }
        }
    }

    private mutating func value(depth: Int) throws -> Kind {
        guard depth < 256 else { throw StepAside() }
        skipWhitespace()
        guard let byte = peek() else { throw Invalid() }
        switch byte {
        case UInt8(ascii: "{"):
            try members(depth: depth) { scanner, _, _ in _ = try scanner.value(depth: depth + 1) }
            return .object
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return .array
            }
            while true {
                _ = try value(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw Invalid() }
                index += 1
                if next == UInt8(ascii: "]") { return .array }
                guard next == UInt8(ascii: ",") else { throw Invalid() }
            }
        case UInt8(ascii: "\""):
            _ = try string()
            return .string
        case UInt8(ascii: "t"):
            try literal("true")
            return .boolean
        case UInt8(ascii: "f"):
            try literal("false")
            return .boolean
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            try number()
            return .number
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Invalid() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw Invalid() }
        index += count
    }

    /// `"…"`: escapes checked, raw control characters refused (the UTF-8 was checked before); true when it held
    /// an escape. The loop over plain bytes is most of the scan (the body is mostly strings), so it is kept tight.
    private mutating func string() throws -> Bool {
        try expect(UInt8(ascii: "\""))
        var escapes = false
        let count = bytes.count
        while true {
            // Plain bytes eight at a time, up to the first one that is not (see `JSONStringBytes`).
            while index &+ 8 <= count {
                let marks = JSONStringBytes.specialMarks(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if marks != 0 {
                    index &+= marks.trailingZeroBitCount &>> 3
                    break
                }
                index &+= 8
            }
            guard index < count else { throw Invalid() }
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return escapes }
            if byte < 0x20 { throw Invalid() }
            guard byte == UInt8(ascii: "\\") else { continue }
            escapes = true
            guard index < count else { throw Invalid() }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                continue
            case UInt8(ascii: "u"):
                guard index + 4 <= count, (0..<4).allSatisfy({ Self.isHex(bytes[index + $0]) }) else { throw Invalid() }
                // Surrogate pairs and lone surrogates are JSONDecoder's to judge.
                if bytes[index] == UInt8(ascii: "d") || bytes[index] == UInt8(ascii: "D") { throw StepAside() }
                index += 4
            default: throw Invalid()
            }
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() throws {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw Invalid() }
        index += 1
        if first != UInt8(ascii: "0") { digits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard try requireDigit() else { throw Invalid() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard try requireDigit() else { throw Invalid() }
        }
    }

    private mutating func digits() {
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
    }

    private mutating func requireDigit() throws -> Bool {
        guard let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
        digits()
        return true
    }
}
