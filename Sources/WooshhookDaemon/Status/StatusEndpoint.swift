import HTTPServer
import Journal

/// Answers the status listener's requests: `GET /` (the page) and `GET /status.json`; any other path 404 and any
/// other method 405, as JSON errors like the webhook's. Everything is answered from the head (a body is never read),
/// on the status listener's own event loop, so nothing here touches the webhook listener.
final class StatusEndpoint: HTTPHandler {
    private let sources: StatusSources

    init(sources: StatusSources) {
        self.sources = sources
    }

    func respondEarly(to head: HTTPRequestHead) -> HTTPResponse? {
        let isPage = head.path == "/"
        guard isPage || head.path == "/status.json" else {
            return Self.error(404, "not_found", "the status listener serves / and /status.json")
        }
        guard head.method == "GET" || head.method == "HEAD" else {
            var response = Self.error(405, "method_not_allowed", "the status page is read-only; use GET")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        let snapshot = StatusSnapshot.collect(sources)
        var response = HTTPResponse(
            status: 200,
            headers: isPage ? Self.pageHeaders : [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
            body: isPage ? StatusPage.html(snapshot) : snapshot.json())
        if head.method == "HEAD" { response.body = [] }
        return response
    }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        // Not reached: every request is answered from its head.
        responder.send(Self.error(404, "not_found", "the status listener serves / and /status.json"))
    }

    /// Defence in depth behind the escaping: no script, no frame, nothing fetched from anywhere.
    private static let pageHeaders = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        (
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    private static func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        let body = "{\"error\":{\"code\":\"\(code)\",\"message\":" + JSONEscaping.quoted(message) + "}}"
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }
}
