/// Parses a request head (request line and headers, up to and including the blank line) strictly, from bytes.
/// Pure, so that it is unit-tested (RequestHeadParserTests) and fuzzed (Tests/Fuzz/RequestHeadParser, run by
/// scripts/fuzz) without sockets. Anything it cannot accept is a `HeadError`
/// carrying the status and JSON error code the server answers with.
enum RequestHeadParser {
    /// A refused head.
    struct HeadError: Error, Equatable {
        let status: Int
        let code: String
        let message: String
    }

    private static func bad(_ message: String) -> HeadError {
        HeadError(status: 400, code: "bad_request", message: message)
    }

    /// Finds the end of the head (the offset just past CRLF CRLF or LF LF) in `bytes`, if it is complete.
    static func headLength(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = 1
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if bytes[index - 1] == 0x0A { return index + 1 }
                if index >= 3, bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                    return index + 1
                }
            }
            index += 1
        }
        return nil
    }

    /// Parses a complete head, line by line as the lines are found (no array of lines, no split request line:
    /// this runs for every request).
    static func parse(_ bytes: UnsafeRawBufferPointer, peerAddress: String) throws(HeadError) -> HTTPRequestHead {
        var requestLine: (method: String, target: String, version: String)?
        var headers = HTTPHeaders(capacity: 8)
        var contentLength: Int?
        var transferEncoding: [UInt8]?
        var connectionTokens: [String] = []
        var expectsContinue = false
        var start = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x0A else {
                index += 1
                continue
            }
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            let line = start..<end
            start = index + 1
            index += 1
            if line.isEmpty { break } // the blank line
            guard requestLine != nil else {
                requestLine = try parseRequestLine(UnsafeRawBufferPointer(rebasing: bytes[line]))
                continue
            }
            let field = UnsafeRawBufferPointer(rebasing: bytes[line])
            guard let first = field.first, first != 0x20, first != 0x09 else {
                throw bad("obsolete header line folding is not accepted")
            }
            guard let colon = field.firstIndex(of: 0x3A), colon > 0 else { throw bad("header line without a name") }
            for byte in field[0..<colon] where !isTokenByte(byte) {
                throw bad("header name holds a character that is not allowed")
            }
            let nameBytes = UnsafeRawBufferPointer(rebasing: field[0..<colon])
            let known = KnownHeader.matching(nameBytes)
            let name = known?.name ?? lowercasedASCII(nameBytes)
            var valueStart = colon + 1
            var valueEnd = field.count
            while valueStart < valueEnd, field[valueStart] == 0x20 || field[valueStart] == 0x09 { valueStart += 1 }
            while valueEnd > valueStart, field[valueEnd - 1] == 0x20 || field[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            let value = Array(field[valueStart..<valueEnd])
            for byte in value where (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw bad("header \(name) holds a control character")
            }
            switch known {
            case .contentLength:
                let length = try parseContentLength(value)
                if let previous = contentLength, previous != length {
                    throw bad("two different Content-Length values")
                }
                contentLength = length
            case .transferEncoding:
                transferEncoding = (transferEncoding.map { $0 + [0x2C] } ?? []) + value
            case .connection:
                connectionTokens += String(decoding: value, as: UTF8.self).lowercased()
                    .split(separator: ",").map { $0.trimmingCharacters(in: " \t") }
            case .expect:
                if String(decoding: value, as: UTF8.self).lowercased() == "100-continue" { expectsContinue = true }
            case .host, .contentType, .signature, .userAgent, .accept, .forwardedFor, .realIP, nil: break
            }
            headers.append(name: name, value: value)
        }
        guard let (method, target, version) = requestLine else { throw bad("empty request") }
        if transferEncoding != nil {
            if contentLength != nil { throw bad("both Content-Length and Transfer-Encoding") }
            throw HeadError(
                status: 411, code: "length_required",
                message: "chunked request bodies are not accepted; send Content-Length")
        }
        let keepAlive =
            version == "HTTP/1.1"
            ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")
        let pathEnd = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        return HTTPRequestHead(
            method: method, path: pathEnd.map { String(target.utf8[..<$0]) ?? target } ?? target,
            query: pathEnd.map { String(target.utf8[target.utf8.index(after: $0)...]) ?? "" }, headers: headers,
            contentLength: contentLength, isChunked: false, peerAddress: peerAddress, keepAlive: keepAlive,
            expectsContinue: expectsContinue)
    }

    private static func parseRequestLine(
        _ line: UnsafeRawBufferPointer
    ) throws(HeadError) -> (String, String, String) {
        // Exactly three parts separated by single spaces: method, target, version.
        guard let firstSpace = line.firstIndex(of: 0x20),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 0x20),
            !line[(secondSpace + 1)...].contains(0x20)
        else { throw bad("malformed request line") }
        let methodBytes = line[..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]
        guard !methodBytes.isEmpty, !targetBytes.isEmpty else { throw bad("malformed request line") }
        for byte in methodBytes where !isTokenByte(byte) { throw bad("malformed method") }
        for byte in targetBytes where byte <= 0x20 || byte >= 0x7F { throw bad("malformed request target") }
        guard targetBytes.first == 0x2F || (targetBytes.count == 1 && targetBytes.first == 0x2A) else {
            throw bad("the request target must be a path")
        }
        let version = String(decoding: versionBytes, as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") {
                throw HeadError(status: 505, code: "http_version_not_supported", message: "only HTTP/1.0 and 1.1")
            }
            throw bad("malformed request line")
        }
        return (String(decoding: methodBytes, as: UTF8.self), String(decoding: targetBytes, as: UTF8.self), version)
    }

    /// A header name (token bytes, so ASCII) lowercased in one allocation at most, not a String and a lowercased
    /// copy of it: this runs for every header of every request.
    static func lowercasedASCII(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (offset, byte) in bytes.enumerated() {
                buffer[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
            }
            return bytes.count
        }
    }

    /// Digits only; absurdly large values saturate (anything over the body limit is answered 413 unread).
    private static func parseContentLength(_ value: [UInt8]) throws(HeadError) -> Int {
        guard !value.isEmpty else { throw bad("empty Content-Length") }
        var length = 0
        for byte in value {
            guard (0x30...0x39).contains(byte) else { throw bad("Content-Length is not a number") }
            length = length > (Int.max - 9) / 10 ? Int.max : length * 10 + Int(byte - 0x30)
        }
        return length
    }

    /// RFC 9110 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
