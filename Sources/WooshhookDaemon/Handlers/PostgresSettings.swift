import CLibpq
import Foundation

/// The `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full]`, default
/// `require`) and `password_file` of a postgres handler, checked when the handler is built.
struct PostgresSettings: Sendable {
    enum SSLMode: String, Sendable {
        case disable, require
        case verifyFull = "verify-full"
    }

    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String
    let sslMode: SSLMode

    var place: String { "\(user)@\(host):\(port)/\(database)" }

    init(url: String, passwordFile: String?, handler: String) throws(HandlerSetupError) {
        let prefix = "handler \"\(handler)\": url"
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else { throw HandlerSetupError("\(prefix) must look like postgres://USER@HOST:PORT/DATABASE") }
        self.host = host
        port = components.port ?? 5432
        self.user = user
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "require"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw HandlerSetupError("\(prefix): sslmode \"\(mode)\" is not one of disable, require, verify-full")
        }
        self.sslMode = sslMode
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw HandlerSetupError("handler \"\(handler)\": cannot read password_file \(passwordFile)")
            }
            password = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            password = components.password
        }
    }

    /// libpq's connection keywords. `require` encrypts without checking the certificate; `verify-full` checks the
    /// chain against the system's trust store and the certificate's name against `host`, and libpq refuses the
    /// connection when either fails: there is no fallback to a weaker mode.
    var connectionParameters: [(keyword: String, value: String)] {
        var parameters = [
            ("host", host), ("port", String(port)), ("dbname", database), ("user", user),
            ("sslmode", sslMode.rawValue), ("connect_timeout", "10"), ("application_name", "wooshhook"),
            // A statement blocks the handler's thread: without these, a partitioned network or a failover that sends
            // no reset would hold it until the kernel gives up on the socket, a quarter of an hour or more, with no
            // error shown. With them the attempt fails within about a minute and is retried like any failure.
            ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
            ("tcp_user_timeout", "60000"),
        ]
        if let password { parameters.append(("password", password)) }
        if sslMode == .verifyFull { parameters.append(("sslrootcert", Self.trustStore)) }
        return parameters
    }

    /// The trust store for `verify-full`. libpq's own default is `~/.postgresql/root.crt`, which a service has not;
    /// libpq 16 and later take `system` (OpenSSL's default store, which honours `SSL_CERT_FILE`), libpq 15 needs the
    /// file: `SSL_CERT_FILE` when set, as for the HTTPS client, else Debian's bundle of the system's CAs.
    static var trustStore: String {
        if PQlibVersion() >= 160_000 { return "system" }
        return ProcessInfo.processInfo.environment["SSL_CERT_FILE"] ?? "/etc/ssl/certs/ca-certificates.crt"
    }
}
