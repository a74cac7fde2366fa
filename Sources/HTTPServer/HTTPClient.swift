import CLibevent
import Glibc

/// A response as the client received it.
public struct HTTPClientResponse: Sendable {
    public let status: Int
    public let headers: [(String, String)]
    public let body: [UInt8]
}

/// Why a request got no HTTP response; says which URL and what to check.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// A small blocking HTTP/1.1 client for `send`, `replay --to` and the forward handler, on libevent's evhttp client
/// (already linked; no second HTTP stack). Each call runs its own private event_base, so calls from several
/// threads do not interfere. https:// goes through OpenSSL via libevent's bufferevent_openssl, with the system's
/// trust store (`SSL_CERT_FILE`/`SSL_CERT_DIR` override it) and the host name checked.
public enum HTTPClient {
    public static func post(
        url: String, headers: [(String, String)], body: [UInt8], timeoutSeconds: Double
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let secure = url.hasPrefix("https://")
        guard secure || url.hasPrefix("http://") else {
            throw HTTPClientError(description: "\(url): only http:// and https:// URLs are supported")
        }
        guard let uri = evhttp_uri_parse(url), let hostPointer = evhttp_uri_get_host(uri) else {
            throw HTTPClientError(description: "\(url) is not a valid URL")
        }
        defer { evhttp_uri_free(uri) }
        let host = String(cString: hostPointer)
        let defaultPort: Int32 = secure ? 443 : 80
        let port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : defaultPort
        var target = evhttp_uri_get_path(uri).map { String(cString: $0) } ?? "/"
        if target.isEmpty { target = "/" }
        if let query = evhttp_uri_get_query(uri) { target += "?" + String(cString: query) }

        guard let base = event_base_new() else { throw HTTPClientError(description: "cannot create an event loop") }
        defer { event_base_free(base) }
        let tls = secure ? try TLSClientContext(host: host) : nil
        let connection: OpaquePointer?
        if let tls {
            guard let ssl = tls.session(),
                let bev = bufferevent_openssl_socket_new(
                    base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
            else { throw HTTPClientError(description: "cannot start TLS to \(host):\(port)") }
            bufferevent_openssl_set_allow_dirty_shutdown(bev, 1)
            connection = evhttp_connection_base_bufferevent_new(base, nil, bev, host, UInt16(truncatingIfNeeded: port))
        } else {
            connection = evhttp_connection_base_new(base, nil, host, UInt16(truncatingIfNeeded: port))
        }
        guard let connection else { throw HTTPClientError(description: "cannot connect to \(host):\(port)") }
        defer { evhttp_connection_free(connection) }
        var timeout = timeval(
            tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1e6))
        evhttp_connection_set_timeout_tv(connection, &timeout)
        evhttp_connection_set_retries(connection, 0)

        let exchange = Exchange(base: base)
        let context = Unmanaged.passRetained(exchange).toOpaque()
        guard let request = evhttp_request_new(clientResponseCallback, context) else {
            Unmanaged<Exchange>.fromOpaque(context).release()
            throw HTTPClientError(description: "cannot create a request")
        }
        let output = evhttp_request_get_output_headers(request)
        evhttp_add_header(output, "Host", port == defaultPort ? host : "\(host):\(port)")
        evhttp_add_header(output, "Connection", "close")
        for (name, value) in headers { evhttp_add_header(output, name, value) }
        evbuffer_add(evhttp_request_get_output_buffer(request), body, body.count)
        guard evhttp_make_request(connection, request, EVHTTP_REQ_POST, target) == 0 else {
            Unmanaged<Exchange>.fromOpaque(context).release()
            throw HTTPClientError(description: "cannot send the request to \(url)")
        }
        event_base_dispatch(base)
        Unmanaged<Exchange>.fromOpaque(context).release()
        guard let response = exchange.response else {
            let tlsHint = secure ? ", or its TLS certificate is not trusted for \(host) (see SSL_CERT_FILE)" : ""
            throw HTTPClientError(
                description:
                    "no response from \(url) (refused, unreachable or timed out after \(timeoutSeconds) s\(tlsHint))")
        }
        return response
    }
}

/// What the callback saw; lives until `post` returns.
private final class Exchange {
    let base: OpaquePointer
    var response: HTTPClientResponse?

    init(base: OpaquePointer) {
        self.base = base
    }
}

private func clientResponseCallback(_ request: OpaquePointer?, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let exchange = Unmanaged<Exchange>.fromOpaque(context).takeUnretainedValue()
    defer { event_base_loopbreak(exchange.base) }
    guard let request else { return }
    let status = Int(evhttp_request_get_response_code(request))
    guard status > 0 else { return }
    var body: [UInt8] = []
    if let input = evhttp_request_get_input_buffer(request) {
        let length = evbuffer_get_length(input)
        body = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            count = length > 0 ? max(0, Int(evbuffer_remove(input, buffer.baseAddress, length))) : 0
        }
    }
    var headers: [(String, String)] = []
    if let input = evhttp_request_get_input_headers(request) {
        var field = input.pointee.tqh_first
        while let current = field {
            if let key = current.pointee.key, let value = current.pointee.value {
                headers.append((String(cString: key), String(cString: value)))
            }
            field = current.pointee.next.tqe_next
        }
    }
    exchange.response = HTTPClientResponse(status: status, headers: headers, body: body)
}
