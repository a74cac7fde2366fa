import Foundation
import Testing
import WooshhookTesting

/// A private nginx for one test: its own prefix folder (logs, temporary paths, pid file), in the foreground
/// (`daemon off`) so it is stopped by its PID, with the `http` block the test gives. The folder goes with it.
final class NginxServer {
    let folder: URL
    var prefix: String { folder.path }
    private var process: BackgroundCommand?

    /// Makes the prefix folder; the test writes what its configuration needs there (certificates, a password file),
    /// then calls `start`.
    init(name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
    }

    /// `examples/<name>` with only addresses and paths changed, so the directives under test are the example's own.
    /// Each text replaced must be in the example, so an example that changes fails here rather than going untested.
    static func example(_ name: String, replacing changes: KeyValuePairs<String, String>) throws -> String {
        var text = try String(
            contentsOf: WooshhookTestShell.repositoryRoot.appendingPathComponent("examples/\(name)"), encoding: .utf8)
        for (old, new) in changes {
            try #require(text.contains(old), "examples/\(name) no longer holds \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// Writes `nginx.conf` with `http` inside its `http` block, checks it with `nginx -t`, starts nginx and waits
    /// until `port` takes connections.
    func start(http: String, port: Int) throws {
        let main = """
            worker_processes 1;
            daemon off;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/logs/error.log info;
            events { worker_connections 256; }
            http {
              access_log \(prefix)/logs/access.log;
              client_body_temp_path \(prefix)/body;
              proxy_temp_path \(prefix)/proxy;
              fastcgi_temp_path \(prefix)/fastcgi;
              uwsgi_temp_path \(prefix)/uwsgi;
              scgi_temp_path \(prefix)/scgi;
            \(http)
            }
            """
        try main.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let checked = try WooshhookTestShell.run("nginx", ["-t", "-p", prefix, "-c", "\(prefix)/nginx.conf"])
        try #require(checked.status == 0, "nginx -t: \(checked.output)")
        process = try BackgroundCommand("/usr/bin/env", ["nginx", "-p", prefix, "-c", "\(prefix)/nginx.conf"])
        guard eventually({ (try? RawHTTPConnection(port: port)) != nil }) else {
            let log = (try? String(contentsOfFile: "\(prefix)/logs/error.log", encoding: .utf8)) ?? ""
            throw TestFailure("nginx did not listen on \(port):\n\(log)")
        }
    }

    deinit {
        process?.stop(signal: SIGQUIT)
        try? FileManager.default.removeItem(at: folder)
    }
}
