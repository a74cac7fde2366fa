import Foundation
import Testing
import WooshhookTesting

/// The command line (README, "Commands") and the configuration rules (README, "Configuration").
@Suite struct CommandLineTests {
    private func writeConfig(_ text: String) throws -> (path: String, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wooshhook-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("config.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (path, folder)
    }

    @Test(arguments: [
        (#"{"secrets":["whsec_a"],"journal":{"fsynk":"always"}}"#, "journal.fsynk"),
        (#"{"secrets":["whsec_a"],"listen":{"hots":"127.0.0.1"}}"#, "listen.hots"),
        (#"{"secrets":["whsec_a"],"toleranse_seconds":3}"#, "toleranse_seconds"),
        (#"{"secrets":["whsec_a"],"handlers":[{"name":"a","kind":"log","evnets":[]}]}"#, "handlers[0].evnets"),
        (#"{"secrets":["whsec_a"],"handlers":[{"name":"a","kind":"carrier-pigeon"}]}"#, "handlers[0].kind"),
        (#"{"secrets":["whsec_a"],"journal":{"fsync":"sometimes"}}"#, "journal.fsync"),
        (#"{"secrets":["whsec_a"],"listen":{"port":"8085"}}"#, "listen.port"),
        (#"{"secrets":[]}"#, "secrets"),
        (#"{"secrets":["whsec_a"],"secret_files":["missing-secret"]}"#, "secret_files[0]"),
        ("{not json", "config.json"),
    ])
    func badConfigurationExits78NamingTheKey(_ text: String, _ key: String) throws {
        let (path, folder) = try writeConfig(text)
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in [["check-config"], ["serve"]] {
            let result = try WooshhookBinary.run(command + ["--config", path])
            #expect(result.status == 78, "\(command): \(result.stderr)")
            #expect(result.stderr.contains(key), "\(result.stderr)")
        }
    }

    @Test func missingConfigurationExits78() throws {
        let result = try WooshhookBinary.run(["check-config", "--config", "/nonexistent/wooshhook.json"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/wooshhook.json"))
        let viaEnvironment = try WooshhookBinary.run(
            ["check-config"], environment: ["WOOSHHOOK_CONFIG": "/nonexistent/env.json"])
        #expect(viaEnvironment.status == 78)
        #expect(viaEnvironment.stderr.contains("/nonexistent/env.json"))
    }

    @Test func checkConfigMasksSecretsAndResolvesPaths() throws {
        let (path, folder) = try writeConfig(
            #"{"secrets":["whsec_supersecretvalue"],"secret_files":["s.txt"],"journal":{"directory":"data/j"}}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("  whsec_fromfile\n".utf8).write(to: folder.appendingPathComponent("s.txt"))
        let result = try WooshhookBinary.run(["check-config", "--config", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("supersecretvalue"))
        #expect(!result.stdout.contains("fromfile"))
        #expect(result.stdout.contains("journal.directory = \(folder.appendingPathComponent("data/j").path)"))
        #expect(result.stdout.contains("tolerance_seconds = 300"))
    }

    @Test func secretFilesAreFoundInTheCredentialsDirectory() throws {
        let (path, folder) = try writeConfig(#"{"secret_files":["wooshpay-secret"]}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = folder.appendingPathComponent("creds")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        try Data("whsec_credential\n".utf8).write(to: credentials.appendingPathComponent("wooshpay-secret"))
        let result = try WooshhookBinary.run(
            ["check-config", "--config", path],
            environment: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(credentials.appendingPathComponent("wooshpay-secret").path))
    }

    @Test func placeholderSecretIsRefusedOffLoopback() throws {
        let (path, folder) = try writeConfig(
            #"{"secrets":["whsec_REPLACE_ME_x"],"listen":{"host":"0.0.0.0","port":0}}"#)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try WooshhookBinary.run(["serve", "--config", path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("placeholder"))
    }

    @Test func signPrintsTheSpecVectors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "wooshhook-sign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = folder.appendingPathComponent("body.json")
        try Data(
            #"{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1732168214532,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":100,"currency":"USD","status":"succeeded"}}}"#
                .utf8
        ).write(to: body)
        let seconds = try WooshhookBinary.run([
            "sign", "--secret", "whsec_test", "--timestamp", "1732168215", body.path,
        ])
        #expect(seconds.stdout == "t=1732168215,v1=4f604d843dfa77ee9902c5436151e1960cb8785c7394de5ee7202736f6dad358\n")
        let millis = try WooshhookBinary.run([
            "sign", "--secret", "whsec_test", "--timestamp", "1732168215000", body.path,
        ])
        #expect(
            millis.stdout == "t=1732168215000,v1=336e0c50c8f8c0121e7332217600450c8e51d4a6a90b703dc8f15fca4f1c10c3\n")
        let usage = try WooshhookBinary.run(["sign", "--secret", "whsec_test", "--timestamp", "soon", body.path])
        #expect(usage.status == 64)
    }

    @Test func sendPostsASignedSampleAndTailShowsIt() throws {
        try withDaemon { daemon in
            let url = "http://127.0.0.1:\(daemon.port)/webhooks/wooshpay"
            for type in ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refund.updated"] {
                let sent = try WooshhookBinary.run(["send", "--config", daemon.configPath, "--to", url, "--type", type])
                #expect(sent.status == 0, "\(sent.stdout)\(sent.stderr)")
                #expect(sent.stdout.contains("\"received\":true"))
            }
            let bad = try WooshhookBinary.run(["send", "--secret", "whsec_wrong", "--to", url])
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("signature_mismatch"))

            let tail = try WooshhookBinary.run(["tail", "--json", "-n", "2", "--journal", daemon.journalDirectory])
            #expect(tail.status == 0)
            #expect(tail.stdout == daemon.journalLines().suffix(2).map { $0 + "\n" }.joined())
            let human = try WooshhookBinary.run(["tail", "--config", daemon.configPath])
            #expect(human.stdout.contains("payment_intent.payment_failed"))
            #expect(human.stdout.contains("42.50 USD"))
            #expect(human.stdout.split(separator: "\n").count == 3)
        }
    }

    @Test func journalVerifyFindsDamage() throws {
        try withDaemon { daemon in
            for index in 0..<3 {
                #expect(try SignedRequest.event(id: "evt_v_\(index)").send(port: daemon.port).status == 200)
            }
            let clean = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
            #expect(clean.status == 0, "\(clean.stdout)")
            #expect(clean.stdout.contains("3 records"))
            daemon.stop()
            let segment = "\(daemon.journalDirectory)/00000000000000000001.jsonl"
            var text = String(decoding: try #require(FileManager.default.contents(atPath: segment)), as: UTF8.self)
            text = text.replacingOccurrences(of: "evt_v_1", with: "evt_v_9")
            try Data(text.utf8).write(to: URL(fileURLWithPath: segment))
            let damaged = try WooshhookBinary.run(["journal", "verify", "--journal", daemon.journalDirectory])
            #expect(damaged.status == 1)
            #expect(damaged.stdout.contains("line 2"))
        }
    }

    @Test func versionAndHelp() throws {
        #expect(try WooshhookBinary.run(["--version"]).stdout.hasPrefix("0."))
        for command in ["serve", "check-config", "tail", "journal", "sign", "send"] {
            let help = try WooshhookBinary.run([command, "--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.stdout.contains("USAGE"), "\(command)")
        }
    }
}
