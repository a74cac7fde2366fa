import Foundation
import Testing
import WooshhookTesting

/// A private nginx (own prefix, pid file, `daemon off`, stopped by its PID) loading examples/nginx-wooshhook.conf
/// itself, with TLS on a loopback port, in front of the real daemon.
@Suite(.serialized)
struct NginxTests {
    final class PrivateNginx {
        let port: Int
        var certificate: String { nginx.folder.appendingPathComponent("cert.pem").path }
        private let nginx: NginxServer

        init(upstreamPort: Int) throws {
            nginx = try NginxServer(name: "nginx")
            let certificate = nginx.folder.appendingPathComponent("cert.pem").path
            let key = nginx.folder.appendingPathComponent("key.pem").path
            let made = try WooshhookTestShell.run(
                "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", certificate,
                ])
            try #require(made.status == 0, "openssl: \(made.output)")
            port = try WooshhookTestShell.freePort()
            let snippet = try NginxServer.example(
                "nginx-wooshhook.conf",
                replacing: [
                    "server 127.0.0.1:8085;": "server 127.0.0.1:\(upstreamPort);",
                    "listen 443 ssl;": "listen 127.0.0.1:\(port) ssl;",
                    "listen [::]:443 ssl;": "",
                    "/etc/ssl/certs/hooks.example.org.pem": certificate,
                    "/etc/ssl/private/hooks.example.org.key": key,
                ])
            try #require(snippet.contains("127.0.0.1:\(upstreamPort)") && snippet.contains(certificate))
            try snippet.write(
                to: nginx.folder.appendingPathComponent("wooshhook.conf"), atomically: true, encoding: .utf8)
            try nginx.start(http: "include \(nginx.prefix)/wooshhook.conf;", port: port)
        }

        /// POSTs through TLS with Python's client (certificate not verified: it is the test's own).
        func post(_ request: SignedRequest, forwardedFor: String?) throws -> (status: Int, body: String) {
            let signature = request.signatureHeader
            let script = """
                import http.client, ssl, sys
                body = sys.stdin.buffer.read()
                c = http.client.HTTPSConnection("127.0.0.1", \(port), context=ssl._create_unverified_context(), timeout=10)
                headers = {"Content-Type": "application/json", "Wooshpay-Signature": sys.argv[1]}
                if sys.argv[2]: headers["X-Forwarded-For"] = sys.argv[2]
                c.request("POST", "/webhooks/wooshpay", body=body, headers=headers)
                r = c.getresponse()
                print(r.status)
                print(r.read().decode())
                """
            let result = try WooshhookTestShell.run(
                "python3", ["-c", script, signature, forwardedFor ?? ""],
                stdin: String(decoding: request.body, as: UTF8.self))
            let lines = result.output.split(separator: "\n", maxSplits: 1).map(String.init)
            guard let status = lines.first.flatMap({ Int($0) }) else { throw TestFailure("client: \(result.output)") }
            return (status, lines.count > 1 ? lines[1] : "")
        }
    }

    @Test func signedEventThroughNginxKeepsTheClientAddress() throws {
        try withDaemon(["trusted_proxies": ["127.0.0.1/32"]]) { daemon in
            let nginx = try PrivateNginx(upstreamPort: daemon.port)
            let accepted = try nginx.post(.event(id: "evt_via_nginx"), forwardedFor: "198.51.100.23")
            #expect(accepted.status == 200, "\(accepted.body)")
            #expect(accepted.body.contains("evt_via_nginx"))
            let lines = daemon.journalLines()
            #expect(lines.count == 1)
            #expect(record(lines[0])["remote_addr"] as? String == "198.51.100.23")

            var forged = SignedRequest.event(id: "evt_forged")
            forged.secret = "whsec_not_ours"
            let refused = try nginx.post(forged, forwardedFor: nil)
            #expect(refused.status == 401)
            #expect(refused.body.contains("\"code\":\"signature_mismatch\""), "\(refused.body)")
            #expect(daemon.journalLines().count == 1)
        }
    }

    @Test func sendReachesTheDaemonThroughNginxOverVerifiedTLS() throws {
        try withDaemon(["trusted_proxies": ["127.0.0.1/32"]]) { daemon in
            let nginx = try PrivateNginx(upstreamPort: daemon.port)
            let url = "https://127.0.0.1:\(nginx.port)/webhooks/wooshpay"
            let sent = try WooshhookBinary.run(
                ["send", "--to", url, "--secret", DaemonProcess.secret],
                environment: ["SSL_CERT_FILE": nginx.certificate])
            #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
            #expect(sent.stdout.contains("HTTP 200"))
            #expect(daemon.journalLines().count == 1)

            let untrusted = try WooshhookBinary.run(
                ["send", "--to", url, "--secret", DaemonProcess.secret],
                environment: ["SSL_CERT_FILE": "/nonexistent/ca.pem", "SSL_CERT_DIR": "/nonexistent"])
            #expect(untrusted.status == 1)
            #expect(untrusted.stderr.contains("certificate"), "\(untrusted.stderr)")
            #expect(daemon.journalLines().count == 1)
        }
    }
}
