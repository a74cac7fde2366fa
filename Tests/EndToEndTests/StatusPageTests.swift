import Foundation
import Testing
import WooshPay
import WooshhookTesting

/// The status listener (a second port), on the real binary, and in a real headless Chromium.
@Suite(.serialized)
struct StatusPageTests {
    static func get(_ path: String, port: Int, method: String = "GET") throws -> HTTPTestResponse {
        let connection = try RawHTTPConnection(port: port)
        try connection.send("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
        return try connection.readResponse()
    }

    /// A daemon with the status page on a free port; the port is returned with it.
    static func withStatusDaemon<T>(
        _ overrides: [String: Any] = [:], _ body: (DaemonProcess, Int) throws -> T
    ) throws -> T {
        let statusPort = try WooshhookTestShell.freePort()
        var config = overrides
        config["status"] = ["listen": ["host": "127.0.0.1", "port": statusPort]]
        return try withDaemon(config) { daemon in
            #expect(eventually { daemon.logLines().contains { $0.contains("status page up") } })
            return try body(daemon, statusPort)
        }
    }

    @Test func pageShowsEventsRejectionsAndAFailingHandlerInHeadlessChromium() throws {
        let failing: [String: Any] = [
            "name": "ledger", "kind": "exec", "max_attempts": 2,
            "command": ["/bin/sh", "-c", "echo 'ledger unreachable: connection refused' >&2; exit 3"],
        ]
        try Self.withStatusDaemon(["handlers": [failing]]) { daemon, statusPort in
            for (index, currency) in ["USD", "JPY", "KWD"].enumerated() {
                let event = OperatorToolsTests.paymentEvent(
                    "evt_page_\(index)", amount: 4250 + index, currency: currency)
                #expect(try event.send(port: daemon.port).status == 200)
            }
            var wrong = SignedRequest.event()
            wrong.secret = "whsec_not_ours"
            #expect(try wrong.send(port: daemon.port).status == 401)
            var lost = SignedRequest.event()
            lost.path = "/wrong/path"
            #expect(try lost.send(port: daemon.port).status == 404)
            // The handler fails each event, then dead-letters it.
            let deadLetters = "\(daemon.journalDirectory)/deadletters/ledger.jsonl"
            #expect(
                eventually(timeout: 20) {
                    (try? String(contentsOfFile: deadLetters, encoding: .utf8))?.split(separator: "\n").count == 3
                })

            let folder = daemon.directory.path
            let screenshot = "\(folder)/status-page.png"
            let url = "http://127.0.0.1:\(statusPort)/"
            let shot = try Chromium.run(["--screenshot=\(screenshot)", "--window-size=1200,1400", url], folder: folder)
            #expect(shot.status == 0, "\(shot.output)")
            let png = FileManager.default.contents(atPath: screenshot) ?? Data()
            #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG of the page")
            if let keep = ProcessInfo.processInfo.environment["WOOSHHOOK_STATUS_SCREENSHOT"] {
                try? FileManager.default.removeItem(atPath: keep)
                try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
            }
            let dom = try Chromium.run(["--dump-dom", url], folder: folder)
            #expect(dom.status == 0)
            let html = dom.output
            for index in 0..<3 { #expect(html.contains("evt_page_\(index)")) }
            #expect(html.contains("42.50 USD") && html.contains("4251 JPY") && html.contains("4.252 KWD"))
            #expect(html.contains("signature_mismatch") && html.contains("not_found"))
            #expect(html.contains("/wrong/path"))
            #expect(html.contains("ledger unreachable: connection refused"))
            #expect(html.contains("<svg"), "the chart is inline SVG")
            #expect(!html.contains("<script"))

            let json = try #require(try Self.get("/status.json", port: statusPort).json)
            #expect(json["health"] as? String == "ok")
            let events = json["events"] as? [[String: Any]] ?? []
            #expect(events.first?["event_id"] as? String == "evt_page_2")
            #expect(events.allSatisfy { $0["type"] != nil && $0["received_at"] != nil })
            let rejections = json["rejections"] as? [String: Any] ?? [:]
            let byCode = rejections["by_code"] as? [String: Int] ?? [:]
            #expect(byCode["signature_mismatch"] == 1 && byCode["not_found"] == 1)
            #expect((rejections["recent"] as? [[String: Any]])?.count == 2)
            let handler = (json["handlers"] as? [[String: Any]])?.first ?? [:]
            #expect(handler["name"] as? String == "ledger")
            #expect(handler["dead_letters"] as? Int == 3)
            #expect(handler["cursor"] as? Int == 3 && handler["lag"] as? Int == 0)
            #expect((handler["last_error"] as? String)?.contains("ledger unreachable") == true)
            let journal = json["journal"] as? [String: Any] ?? [:]
            #expect(journal["last_seq"] as? Int == 3 && journal["segments"] as? Int == 1)
            #expect((journal["bytes"] as? Int ?? 0) > 500)
        }
    }

    @Test func eventFieldsHoldingScriptAreShownAsText() throws {
        try Self.withStatusDaemon { daemon, statusPort in
            let hostileType = SignedRequest(
                body: """
                    {"id":"evt_<script>alert(1)</script>","object":"event","type":"x.<img src=x onerror=alert(2)>",\
                    "data":{"object":{"id":"obj_1"}}}
                    """)
            #expect(try hostileType.send(port: daemon.port).status == 200)
            let hostileObject = SignedRequest(
                body: """
                    {"id":"evt_hostile_object","object":"event","type":"payment_intent.succeeded",\
                    "data":{"object":{"id":"pi_\\"><script>alert(3)</script>","object":"payment_intent","amount":1,\
                    "currency":"<b>usd</b>","status":"<script>alert(4)</script>"}}}
                    """)
            #expect(try hostileObject.send(port: daemon.port).status == 200)
            var path = SignedRequest.event()
            path.path = "/<script>alert(5)</script>"
            _ = try path.send(port: daemon.port)
            #expect(
                eventually {
                    (try? Self.get("/status.json", port: statusPort).bodyText.contains("alert(5)")) == true
                })
            let page = try Self.get("/", port: statusPort)
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            let html = page.bodyText
            #expect(!html.contains("<script"), "no script element, from anywhere")
            #expect(!html.contains("<img"))
            #expect(!html.lowercased().contains("<b>usd"))
            #expect(html.contains("&lt;B&gt;USD&lt;/B&gt;"))
            #expect(html.contains("pi_&quot;&gt;&lt;script&gt;alert(3)"))
            #expect(html.contains("evt_&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(html.contains("x.&lt;img src=x onerror=alert(2)&gt;"))
            #expect(html.contains("&lt;script&gt;alert(4)&lt;/script&gt;"))
            #expect(html.contains("/&lt;script&gt;alert(5)&lt;/script&gt;"))
            // And in a browser the text is there, as text.
            let dom = try Chromium.run(
                ["--dump-dom", "http://127.0.0.1:\(statusPort)/"], folder: daemon.directory.path)
            #expect(dom.output.contains("evt_&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!dom.output.contains("<script"))
        }
    }

    @Test func otherPathsAre404AndOtherMethods405AsJSON() throws {
        try Self.withStatusDaemon { _, statusPort in
            let missing = try Self.get("/webhooks/wooshpay", port: statusPort)
            #expect(missing.status == 404)
            #expect(missing.errorCode == "not_found")
            #expect(missing.header("Content-Type") == "application/json")
            for method in ["POST", "PUT", "DELETE"] {
                for path in ["/", "/status.json"] {
                    let refused = try Self.get(path, port: statusPort, method: method)
                    #expect(refused.status == 405)
                    #expect(refused.errorCode == "method_not_allowed")
                    #expect(refused.header("Allow") == "GET, HEAD")
                }
            }
            #expect(try Self.get("/status.json", port: statusPort).status == 200)
        }
    }

    @Test func idleStatusClientsHoldNothingOfTheWebhookListener() throws {
        try Self.withStatusDaemon(["read_timeout_seconds": 30]) { daemon, statusPort in
            // More idle connections than the status listener takes, each with half a request head.
            var idle: [RawHTTPConnection] = []
            for _ in 0..<40 {
                let connection = try RawHTTPConnection(port: statusPort)
                try connection.send("GET / HTTP/1.1\r\nHost: x\r\n")
                idle.append(connection)
            }
            let started = Date()
            for index in 0..<20 {
                #expect(try SignedRequest.event(id: "evt_while_idle_\(index)").send(port: daemon.port).status == 200)
            }
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(idle.count == 40)
        }
    }

    /// examples/nginx-wooshhook-status.conf, as shipped but for paths and ports, in a private nginx.
    @Test func nginxExampleAsksForAPasswordThenShowsThePage() throws {
        try Self.withStatusDaemon { _, statusPort in
            let nginx = try NginxServer(name: "nginx-status")
            let prefix = nginx.prefix
            let hashed = try WooshhookTestShell.run("openssl", ["passwd", "-apr1", "correct horse"])
            try #require(hashed.status == 0)
            try "oncall:\(hashed.output.trimmingCharacters(in: .whitespacesAndNewlines))\n"
                .write(toFile: "\(prefix)/htpasswd", atomically: true, encoding: .utf8)
            let snippet = try NginxServer.example(
                "nginx-wooshhook-status.conf",
                replacing: [
                    "/etc/nginx/wooshhook-status.htpasswd": "\(prefix)/htpasswd",
                    "http://127.0.0.1:8086/": "http://127.0.0.1:\(statusPort)/",
                ])
            try #require(snippet.contains("\(prefix)/htpasswd") && snippet.contains("127.0.0.1:\(statusPort)"))
            let port = try WooshhookTestShell.freePort()
            try nginx.start(http: "server {\n listen 127.0.0.1:\(port);\n\(snippet)\n}", port: port)
            func get(_ path: String, method: String = "GET", password: String?) throws -> HTTPTestResponse {
                let connection = try RawHTTPConnection(port: port)
                var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                if let password {
                    head += "Authorization: Basic \(Data("oncall:\(password)".utf8).base64EncodedString())\r\n"
                }
                try connection.send(head + "\r\n")
                return try connection.readResponse()
            }
            #expect(try get("/wooshhook/", password: nil).status == 401)
            #expect(try get("/wooshhook/", password: "wrong").status == 401)
            let page = try get("/wooshhook/", password: "correct horse")
            #expect(page.status == 200)
            #expect(page.bodyText.contains("<h2>Last events</h2>"))
            let json = try get("/wooshhook/status.json", password: "correct horse")
            #expect(json.status == 200 && json.json?["health"] as? String == "ok")
            #expect(try get("/wooshhook/", method: "POST", password: "correct horse").status == 403)
        }
    }

    @Test func statusPortMayNotBeTheWebhookPortAndKeysAreChecked() throws {
        let daemon = try DaemonProcess(overrides: [
            "listen": ["host": "127.0.0.1", "port": 18085],
            "status": ["listen": ["host": "127.0.0.1", "port": 18085]],
        ])
        defer { daemon.cleanUp() }
        let same = try WooshhookBinary.run(["check-config", "--config", daemon.configPath])
        #expect(same.status == 78)
        #expect(same.stderr.contains("status.listen.port"))
        let typo = try DaemonProcess(overrides: ["rejections": ["max_byte": 100_000]])
        defer { typo.cleanUp() }
        let unknown = try WooshhookBinary.run(["check-config", "--config", typo.configPath])
        #expect(unknown.status == 78)
        #expect(unknown.stderr.contains("rejections.max_byte"))
        let example = try WooshhookBinary.run(
            [
                "check-config", "--config",
                WooshhookTestShell.repositoryRoot.appendingPathComponent("config.example.json").path,
            ])
        #expect(example.status == 0, "\(example.stderr)")
        #expect(example.stdout.contains("status.listen = 127.0.0.1:8086"))
        #expect(example.stdout.contains("rejections.max_bytes = 16777216"))
    }
}

/// Debian's headless Chromium, with a profile of its own in the test's folder.
enum Chromium {
    static func run(_ arguments: [String], folder: String) throws -> (status: Int32, output: String) {
        let executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let executable else { throw TestFailure("chromium is not installed; ./scripts/install-deps installs it") }
        let result = try SpawnedProcess.run(
            executable,
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(folder)/chromium"]
                + arguments,
            environment: ["HOME": folder], timeout: 60)
        return (result.status, result.stdout + result.stderr)
    }
}
