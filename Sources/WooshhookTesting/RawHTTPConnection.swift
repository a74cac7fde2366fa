import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to 127.0.0.1 that writes bytes exactly as given and reads HTTP/1.1 responses, so tests can
/// send what no well-behaved client would (stalled headers, bad bytes, pipelined requests).
public final class RawHTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: a class whose stored properties are all set runs `deinit` when its init throws, and a
        // second close could close a descriptor another test's thread has opened since.
        guard result == 0 else { throw TestFailure("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw TestFailure("send failed: errno \(errno)") }
            offset += written
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads one response; throws on timeout or when the peer closes before a whole response arrived.
    public func readResponse() throws -> HTTPTestResponse {
        while true {
            if let (response, used) = HTTPTestResponse.parse(buffer) {
                buffer.removeFirst(used)
                return response
            }
            guard try fill() else {
                throw TestFailure("connection closed before a whole response (have \(buffer.count) bytes)")
            }
        }
    }

    /// Reads until `count` responses have begun and returns how many of them had each status, without parsing them
    /// one by one (for floods of pipelined requests whose answers only need counting).
    @discardableResult
    public func expectResponses(_ count: Int) throws -> [Int: Int] {
        let marker = Array("HTTP/1.1 ".utf8)
        var statuses: [Int: Int] = [:]
        var seen = 0
        var scanned = 0
        while seen < count {
            // A status line is whole once its three digits are in.
            while scanned + marker.count + 3 <= buffer.count && seen < count {
                if buffer[scanned] == marker[0] && buffer[scanned..<(scanned + marker.count)].elementsEqual(marker) {
                    let digits = buffer[(scanned + marker.count)..<(scanned + marker.count + 3)]
                    statuses[Int(String(decoding: digits, as: UTF8.self)) ?? 0, default: 0] += 1
                    seen += 1
                    scanned += marker.count
                } else {
                    scanned += 1
                }
            }
            if seen == count { break }
            guard try fill() else { throw TestFailure("connection closed after \(seen) of \(count) responses") }
        }
        buffer.removeAll()
        return statuses
    }

    /// Whether the server closed the connection (EOF) within the receive timeout.
    public func isClosedByPeer() -> Bool {
        (try? fill()) == false
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return false }
        if count < 0 {
            if errno == ECONNRESET { return false }
            throw TestFailure("recv failed or timed out: errno \(errno)")
        }
        buffer += chunk[0..<count]
        return true
    }
}

/// A response as a test sees it.
public struct HTTPTestResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as a JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// `error.code` of an error body.
    public var errorCode: String? {
        (json?["error"] as? [String: Any])?["code"] as? String
    }

    static func parse(_ bytes: [UInt8]) -> (HTTPTestResponse, Int)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
        else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, statusLine.split(separator: " ").count >= 2,
            let status = Int(statusLine.split(separator: " ")[1])
        else { return nil }
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        let bodyStart = end + 4
        if status == 100 {
            return (HTTPTestResponse(status: status, headers: headers, body: []), bodyStart)
        }
        guard bytes.count >= bodyStart + length else { return nil }
        return (
            HTTPTestResponse(status: status, headers: headers, body: Array(bytes[bodyStart..<bodyStart + length])),
            bodyStart + length
        )
    }
}
