import ArgumentParser
import Foundation
import HTTPServer
import Journal
import Logging
import SystemSupport
import WooshhookDaemon

extension WooshhookCommand {
    /// Posts journaled events again, freshly signed, to a URL.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "POST matching journaled events again (exact body, fresh signature) to --to URL.")

        @OptionGroup var filterOptions: RecordFilterOptions

        @Option(name: .long, help: "Only records received at or before WHEN.")
        var until: String?

        @Flag(name: .long, help: "Take events from the quarantine instead of the journal.")
        var quarantine = false

        @Option(name: .long, help: "Where to post each event.")
        var to: String?

        @Flag(
            name: .long,
            help: ArgumentHelp(
                "Run the configured handlers on each event instead of posting it; with --quarantine, admit each event "
                    + "into the journal: through the running daemon when one holds the journal, else by appending it and "
                    + "running the handlers from their cursors here."))
        var handlers = false

        @Option(name: .long, help: "Signing secret (default: the first configured secret).")
        var secret: String?

        @Option(name: .long, help: "At most N events per second.")
        var rate: Double?

        @Flag(name: .long, help: "List what would be sent; send nothing.")
        var dryRun = false

        @OptionGroup var journalOptions: JournalOptions

        func validate() throws {
            guard (to != nil) != handlers else { throw ValidationError("give exactly one of --to URL or --handlers") }
            if let rate, rate <= 0 { throw ValidationError("--rate must be more than 0") }
            if let until, TimeExpression.parse(until, nowMilliseconds: SystemClock.nowMilliseconds()) == nil {
                throw ValidationError("--until \(until): use RFC 3339, a date or an age (90s, 15m, 2h, 7d)")
            }
        }

        func run() throws {
            let journalDirectory = try journalOptions.directory()
            let directory = quarantine ? "\(journalDirectory)/quarantine" : journalDirectory
            let filter = filterOptions.filter(until: until)
            var records: [JournalRecord] = []
            do {
                try JournalReader(directory: directory).forEachRecord { result in
                    switch result {
                    case .success(let record) where filter.matches(record): records.append(record)
                    case .success: break
                    case .failure(let damage):
                        Console.skipping(damage)
                    }
                }
            } catch {
                Console.error("\(error)")
                throw ExitCode.failure
            }
            if dryRun {
                for record in records { Console.line("\(record.eventID)  \(record.type)  (dry run)") }
                Console.line("replayed 0, failed 0 (dry run: \(records.count) would be sent)")
                return
            }
            if handlers {
                return quarantine ? try admit(records, into: journalDirectory) : try runHandlers(records)
            }
            guard let to else { throw ExitCode.usage }
            try post(records, to: to, signingSecret: try resolveSecret())
        }

        private func post(_ records: [JournalRecord], to: String, signingSecret: String) throws {
            let client = SignedDeliveryClient(url: to, secret: signingSecret)
            let progress = ProgressBar(total: records.count)
            var failed = 0
            var started = Date()
            for (index, record) in records.enumerated() {
                if let rate, index > 0 {
                    let wait = started.addingTimeInterval(1 / rate).timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                }
                started = Date()
                do {
                    let response = try client.post(record.body)
                    let ok = (200..<300).contains(response.status)
                    if !ok { failed += 1 }
                    Console.line("\(record.eventID)  \(record.type)  HTTP \(response.status)")
                } catch {
                    failed += 1
                    Console.line("\(record.eventID)  \(record.type)  failed: \(error)")
                }
                progress.update(index + 1)
            }
            progress.finish()
            Console.line("replayed \(records.count - failed), failed \(failed)")
            if failed > 0 { throw ExitCode.failure }
        }

        /// `--handlers`: each configured handler that takes the event's type, once; exit 1 when any failed.
        private func runHandlers(_ records: [JournalRecord]) throws {
            let configuration = try journalOptions.configOptions.load()
            let set: ReplayHandlers
            do {
                set = try ReplayHandlers(configuration.handlers, logger: Logger(label: "wooshhook.replay"))
            } catch {
                Console.error("\(error)")
                throw ExitCode.configuration
            }
            guard !set.isEmpty else {
                Console.error("no handlers are configured in \(configuration.sourcePath ?? "the configuration")")
                throw ExitCode.configuration
            }
            var failed = 0
            for record in records {
                let outcomes = set.handle(record)
                let failures = outcomes.filter { $0.failure != nil }
                if !failures.isEmpty { failed += 1 }
                let detail = outcomes.map { "\($0.name): \($0.failure.map { "failed (\($0))" } ?? "ok")" }
                Console.line(
                    "\(record.eventID)  \(record.type)  "
                        + (detail.isEmpty ? "no handler takes this type" : detail.joined(separator: ", ")))
            }
            Console.line("replayed \(records.count - failed), failed \(failed)")
            if failed > 0 { throw ExitCode.failure }
        }

        /// `--quarantine --handlers`. The journal has one writer (README, "The journal lock"): when a daemon holds
        /// it, each event is posted, freshly signed, to that daemon, which journals it and hands it to its handlers
        /// like any delivery. When nobody does, this command takes the lock and does the same itself.
        private func admit(_ records: [JournalRecord], into journalDirectory: String) throws {
            let configuration = try journalOptions.configOptions.load()
            let lock: JournalLock
            do {
                lock = try JournalLock.acquire(directory: journalDirectory)
            } catch {
                guard case .held(_, _, let pid) = error else {
                    Console.error("\(error)")
                    throw ExitCode.failure
                }
                guard let secret = configuration.secrets.first else { throw ExitCode.configuration }
                // The address the daemon recorded in the lock file is where it really listens (`port: 0`, socket
                // activation, a configuration edited since it started); the configuration's is the fallback.
                let configured = (
                    configuration.listenHost == "0.0.0.0" ? "127.0.0.1" : configuration.listenHost,
                    configuration.listenPort
                )
                let (address, port) = JournalLock.holderListener(directory: journalDirectory) ?? configured
                let host = address.contains(":") ? "[\(address)]" : address
                let url = "http://\(host):\(port)\(configuration.path)"
                Console.warning(
                    "the journal is held by PID \(pid.map(String.init) ?? "?"); admitting through the daemon at \(url)")
                return try post(records, to: url, signingSecret: secret)
            }
            defer { lock.release() }
            // At the configured level, as the daemon logs: a `log` handler's lines are its output.
            var logger = Logger(label: "wooshhook.replay")
            logger.logLevel = configuration.logLevel
            var failed = 0
            do {
                try QuarantineAdmission.admit(records, configuration: configuration, lock: lock, logger: logger) {
                    record, outcome in
                    let detail: String
                    switch outcome {
                    case .journaled(let seq): detail = "journaled as seq \(seq)"
                    case .duplicate: detail = "already journaled (duplicate)"
                    case .failed(let reason):
                        failed += 1
                        detail = "failed: \(reason)"
                    }
                    Console.line("\(record.eventID)  \(record.type)  \(detail)")
                }
            } catch {
                Console.error(error.message)
                throw ExitCode(error.exitCode)
            }
            Console.line("replayed \(records.count - failed), failed \(failed)")
            if failed > 0 { throw ExitCode.failure }
        }

        private func resolveSecret() throws -> String {
            if let secret { return secret }
            guard let first = try journalOptions.configOptions.load().secrets.first else {
                throw ExitCode.configuration
            }
            return first
        }
    }
}
