import Foundation
import NIOSSL
import PostgresNIO

/// The `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full]`, default
/// `require`) and `password_file` of a postgres handler, checked when the handler is built.
struct PostgresSettings: Sendable {
    enum SSLMode: String, Sendable { case disable, require, verifyFull = "verify-full" }

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

    /// `require` encrypts without checking the certificate (libpq's meaning); `verify-full` checks it and the host.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: configuration))
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        if sslMode == .verifyFull { configuration.options.tlsServerName = host }
        return configuration
    }
}
