/// A response; the server adds `Content-Length`, and `Connection: close` when it closes afterwards.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An error the server answers by itself, in the same JSON shape as the daemon's.
    static func error(_ status: Int, code: String, message: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")],
            body: Array("{\"error\":{\"code\":\"\(code)\",\"message\":\"\(message)\"}}".utf8))
    }

    /// The bytes on the wire, appended as bytes: built with String interpolation this was a tenth of the cost of
    /// answering a webhook.
    func serialized(close: Bool) -> [UInt8] {
        let reason = Self.reason(status)
        var bytes = [UInt8]()
        bytes.reserveCapacity(
            64 + reason.utf8.count + headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 } + body.count)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        Self.appendDecimal(status, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: reason.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        for (name, value) in headers {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "Content-Length: ".utf8)
        Self.appendDecimal(body.count, to: &bytes)
        bytes.append(contentsOf: (close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n").utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        guard value >= 10 else { return bytes.append(UInt8(ascii: "0") + UInt8(clamping: max(0, value))) }
        appendDecimal(value / 10, to: &bytes)
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
