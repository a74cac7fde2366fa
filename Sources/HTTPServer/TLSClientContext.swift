import CLibevent
import Glibc

/// An OpenSSL client context for one request: TLS 1.2 or later, peer verification against the default trust
/// store, and the URL's host (name or IP address) checked against the certificate.
final class TLSClientContext {
    private let context: OpaquePointer
    private let host: String

    init(host: String) throws(HTTPClientError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw HTTPClientError(description: "cannot create a TLS context")
        }
        self.context = context
        self.host = host
        _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            throw HTTPClientError(description: "cannot load the system's trusted certificates")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }

    /// A new session for one connection; bufferevent_openssl frees it with the connection.
    func session() -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        let parameters = SSL_get0_param(ssl)
        var address = in6_addr()
        let isAddress = inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
        if isAddress {
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, host) == 1 else {
                SSL_free(ssl)
                return nil
            }
        } else {
            guard wooshhook_ssl_set_server_name(ssl, host) == 1, X509_VERIFY_PARAM_set1_host(parameters, host, 0) == 1
            else {
                SSL_free(ssl)
                return nil
            }
        }
        return ssl
    }

    deinit { SSL_CTX_free(context) }
}
