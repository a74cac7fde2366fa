import HTTPServer
import Logging

/// The status page's listener: a second `Server` with one event-loop thread of its own and a small connection cap,
/// so a slow or idle status client holds nothing of the webhook listener.
final class StatusListener: Sendable {
    /// Connections to the status page at most; more wait in the backlog.
    static let maxConnections = 32

    private let server: Server

    private init(server: Server) {
        self.server = server
    }

    /// Starts the listener when `status` is configured. A status page that cannot listen is logged and skipped:
    /// receiving webhooks matters more than showing them.
    static func start(
        _ configuration: Configuration, sources: StatusSources, logger: Logger
    ) -> StatusListener? {
        guard let settings = configuration.status else { return nil }
        let server = Server(
            configuration: ServerConfiguration(
                listen: .tcp(host: settings.host, port: settings.port), workers: 1, maxConnections: maxConnections,
                maxBodyBytes: 65_536, readTimeoutSeconds: configuration.readTimeoutSeconds),
            handler: StatusEndpoint(sources: sources), logger: logger)
        do {
            try server.start()
        } catch {
            logger.error(
                "status page not started; receiving goes on without it",
                metadata: ["host": "\(settings.host)", "status_port": "\(settings.port)", "error": "\(error)"])
            return nil
        }
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        logger.info("status page up", metadata: ["url": "http://\(host):\(server.boundPort)/"])
        return StatusListener(server: server)
    }

    func stop() {
        server.shutdown(gracePeriodSeconds: 1)
    }
}
