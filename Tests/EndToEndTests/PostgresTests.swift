import Foundation
import Testing
import WooshhookTesting

/// The postgres handler (README, "Handlers") against a real PostgreSQL server started by the test: several receivers
/// share one table, an outage is caught up, a restart inserts nothing twice, a bad password is reported.
@Suite(.serialized)
struct PostgresTests {
    /// A private PostgreSQL cluster (own data directory, loopback port, TLS on with a self-signed certificate),
    /// run as the `postgres` user because the server refuses root, and stopped by `pg_ctl` at the end.
    final class PostgresServer {
        static let user = "wooshhook"
        static let password = "pw-for-wooshhook-tests"
        let folder: String
        let port: Int
        let passwordFile: String
        private let bin: String

        init() throws {
            let versions = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted()
            bin = "/usr/lib/postgresql/\(try #require(versions.last, "PostgreSQL is not installed"))/bin"
            folder = "/tmp/wooshhook-pg-\(UUID().uuidString.prefix(8))"
            port = try WooshhookTestShell.freePort()
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            passwordFile = "\(folder)/password"
            try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
            let data = "\(folder)/data"
            try shell(
                "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1",
                    "-keyout", "\(folder)/server.key", "-out", "\(folder)/server.crt",
                ])
            try shell("chmod", ["600", "\(folder)/server.key"])
            try shell("chown", ["-R", "postgres", folder])
            try asPostgres(
                "\(bin)/initdb",
                [
                    "-D", data, "-U", Self.user, "--pwfile", passwordFile,
                    "--auth", "scram-sha-256", "-E", "UTF8",
                ])
            try start()
        }

        func start() throws {
            let options =
                "-p \(port) -c listen_addresses=127.0.0.1 -c unix_socket_directories=\(folder) -c ssl=on "
                + "-c ssl_cert_file=\(folder)/server.crt -c ssl_key_file=\(folder)/server.key"
            // The server outlives this call, so it must not inherit any descriptor of the test process (Foundation's
            // Process watches one to see its child end): Python's close_fds starts pg_ctl with 0-2 only.
            let closeFDs =
                "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True, "
                + "stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))"
            try shell(
                "python3",
                [
                    "-c", closeFDs, "runuser", "-u", "postgres", "--", "\(bin)/pg_ctl", "-D", "\(folder)/data",
                    "-l", "\(folder)/log", "-o", options, "-w", "start",
                ])
        }

        func stop() throws {
            try asPostgres("\(bin)/pg_ctl", ["-D", "\(folder)/data", "-m", "fast", "-w", "stop"])
        }

        /// A query through psql; the rows as `|`-separated lines.
        func query(_ sql: String) throws -> [String] {
            let url = "postgresql://\(Self.user)@127.0.0.1:\(port)/postgres?sslmode=disable"
            let result = try WooshhookTestShell.run(
                "env", ["PGPASSWORD=\(Self.password)", "psql", url, "-tAc", sql])
            guard result.status == 0 else { throw TestFailure("psql: \(result.output)") }
            return result.output.split(separator: "\n").map(String.init)
        }

        func url(sslmode: String, host: String = "127.0.0.1") -> String {
            "postgres://\(Self.user)@\(host):\(port)/postgres?sslmode=\(sslmode)"
        }

        /// The server's self-signed certificate (CN=127.0.0.1), which a client can be told to trust.
        var certificate: String { "\(folder)/server.crt" }

        private func asPostgres(_ command: String, _ arguments: [String]) throws {
            try shell("runuser", ["-u", "postgres", "--", command] + arguments)
        }

        private func shell(_ command: String, _ arguments: [String]) throws {
            let result = try WooshhookTestShell.run(command, arguments)
            try #require(result.status == 0, "\(command) \(arguments.joined(separator: " ")): \(result.output)")
        }

        deinit {
            try? stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    static func handler(
        _ server: PostgresServer, sslmode: String, host: String = "127.0.0.1", passwordFile: String? = nil,
        maxAttempts: Int = 40
    ) -> [String: Any] {
        [
            "name": "ledger", "kind": "postgres", "url": server.url(sslmode: sslmode, host: host),
            "password_file": passwordFile ?? server.passwordFile, "max_attempts": maxAttempts,
        ]
    }

    private func accept(_ id: String, _ daemon: DaemonProcess) throws {
        let response = try SignedRequest.event(id: id).send(port: daemon.port)
        try #require(response.status == 200, "\(response.bodyText)")
    }

    private func rows(_ server: PostgresServer) -> [String] {
        (try? server.query("SELECT event_id FROM wooshhook_events ORDER BY event_id")) ?? []
    }

    @Test func receiversShareOneTableCatchUpAfterAnOutageAndNeverInsertTwice() throws {
        let server = try PostgresServer()
        let first = try DaemonProcess(overrides: ["handlers": [Self.handler(server, sslmode: "require")]])
        let second = try DaemonProcess(overrides: ["handlers": [Self.handler(server, sslmode: "disable")]])
        defer {
            first.cleanUp()
            second.cleanUp()
        }
        try first.start()
        try second.start()

        let shared = SignedRequest.event(id: "evt_both")
        for daemon in [first, second] {
            let response = try shared.send(port: daemon.port)
            #expect(response.status == 200)
        }
        try accept("evt_only_first", first)
        try accept("evt_only_second", second)
        #expect(
            eventually(timeout: 20) { rows(server) == ["evt_both", "evt_only_first", "evt_only_second"] },
            "\(rows(server))\n\(first.logLines().filter { !$0.contains("trace") }.joined(separator: "\n"))\n--\n\(second.logLines().filter { !$0.contains("trace") }.joined(separator: "\n"))"
        )
        let stored = try server.query(
            "SELECT body, payload->>'id', receiver <> '', sha256, type, received_at IS NOT NULL FROM wooshhook_events WHERE event_id = 'evt_both'"
        )
        let columns = try #require(stored.first).split(separator: "|").map(String.init)
        #expect(columns.first == String(decoding: shared.body, as: UTF8.self))
        #expect(
            Array(columns.dropFirst()) == [
                "evt_both", "t", record(first.journalLines()[0])["sha256"] as? String ?? "?",
                "payment_intent.succeeded", "t",
            ])

        try server.stop()
        for index in 0..<3 { try accept("evt_during_outage_\(index)", first) }
        // The outage is seen (an attempt fails) before the server comes back, so what follows is a catch-up.
        #expect(
            eventually(timeout: 20) {
                first.logLines().contains { $0.contains("attempt failed") && $0.contains("evt_during_outage_0") }
            }, "\(first.log(tail: 5))")
        try server.start()
        #expect(
            eventually(timeout: 40) { rows(server).filter { $0.hasPrefix("evt_during_outage_") }.count == 3 },
            "\(first.log(tail: 5))")

        let before = rows(server)
        first.stop()
        let logged = first.logLines().count
        try first.start()
        let cursor = try String(contentsOfFile: "\(first.journalDirectory)/cursors/ledger", encoding: .utf8)
        #expect(cursor.trimmingCharacters(in: .whitespacesAndNewlines) == "5", "the cursor is at the journal's end")
        #expect(
            first.logLines().dropFirst(logged).contains { $0.contains("handler started") && $0.contains("cursor=5") },
            "the restarted handler resumes after the last event: \(first.log(tail: 5))")
        // The handler takes events in journal order: once one accepted now is in the table, the restarted handler
        // has been through everything before it.
        try accept("evt_after_restart", first)
        #expect(eventually(timeout: 20) { rows(server).contains("evt_after_restart") }, "\(first.log(tail: 5))")
        #expect(rows(server).sorted() == (before + ["evt_after_restart"]).sorted())
        #expect(!first.logLines().dropFirst(logged).contains { $0.contains("attempt failed") })
    }

    @Test func aWrongPasswordIsReportedAndNeverTouchesReceiving() throws {
        let server = try PostgresServer()
        let wrong = "\(server.folder)/wrong-password"
        try "not-the-password".write(toFile: wrong, atomically: true, encoding: .utf8)
        try withDaemon(["handlers": [Self.handler(server, sslmode: "disable", passwordFile: wrong, maxAttempts: 2)]]) {
            daemon in
            let started = Date()
            try accept("evt_bad_password", daemon)
            #expect(Date().timeIntervalSince(started) < 1)
            #expect(
                eventually(timeout: 20) {
                    daemon.logLines().contains {
                        $0.contains("dead-lettered") && $0.contains("ledger") && $0.contains("password")
                    }
                }, "\(daemon.log(tail: 5))")
            #expect(rows(server).isEmpty)
        }
    }

    @Test func aTableOfAnotherShapeIsReportedAndTheEventDeadLettered() throws {
        let server = try PostgresServer()
        _ = try server.query("CREATE TABLE wooshhook_events (event_id text PRIMARY KEY, note text)")
        try withDaemon(["handlers": [Self.handler(server, sslmode: "disable", maxAttempts: 2)]]) { daemon in
            try accept("evt_wrong_table", daemon)
            #expect(
                eventually(timeout: 20) {
                    daemon.logLines().contains {
                        $0.contains("dead-lettered") && $0.contains("ledger") && $0.contains("column")
                    }
                }, "\(daemon.log(tail: 5))")
            let deadLetters = try String(
                contentsOfFile: "\(daemon.journalDirectory)/deadletters/ledger.jsonl", encoding: .utf8)
            #expect(deadLetters.contains("evt_wrong_table"))
            #expect(try server.query("SELECT count(*) FROM wooshhook_events") == ["0"])
        }
    }

    /// `verify-full` checks the chain and the name, and a failure of either refuses the connection: the event is
    /// retried, then dead-lettered with libpq's reason, and nothing reaches the table over a weaker connection. The
    /// same server is accepted once its certificate is trusted (`SSL_CERT_FILE`) and named by the url, and the
    /// connection it makes is encrypted.
    @Test func verifyFullRefusesAnUntrustedOrMisnamedCertificateAndNeverDowngrades() throws {
        let server = try PostgresServer()
        let cases: [(label: String, host: String, trustStore: String, reason: String)] = [
            (
                "self-signed, not trusted", "127.0.0.1", "/etc/ssl/certs/ca-certificates.crt",
                "certificate verify failed"
            ),
            ("trusted, another name", "localhost", server.certificate, "does not match host name"),
        ]
        for (label, host, trustStore, reason) in cases {
            try withDaemon(
                ["handlers": [Self.handler(server, sslmode: "verify-full", host: host, maxAttempts: 2)]],
                environment: ["SSL_CERT_FILE": trustStore]
            ) { daemon in
                try accept("evt_refused", daemon)
                #expect(
                    eventually(timeout: 20) {
                        daemon.logLines().contains {
                            $0.contains("dead-lettered") && $0.contains("ledger") && $0.contains(reason)
                        }
                    }, "\(label): \(daemon.log(tail: 5))")
            }
        }
        #expect(rows(server).isEmpty, "nothing was inserted")

        try withDaemon(
            ["handlers": [Self.handler(server, sslmode: "verify-full")]],
            environment: ["SSL_CERT_FILE": server.certificate]
        ) { daemon in
            try accept("evt_verified", daemon)
            #expect(eventually(timeout: 20) { rows(server) == ["evt_verified"] }, "\(daemon.log(tail: 5))")
            #expect(
                try server.query(
                    "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'wooshhook'"
                )
                    == ["t"])
        }
    }
}
