import ArgumentParser
import Foundation
import HTTPServer
import WooshhookDaemon

extension WooshhookCommand {
    /// Signs and posts a sample (or given) event, printing the response: an end-to-end check of an install.
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign and POST a sample event (or --file) to URL and print the response.")

        @Option(name: .long, help: "Where to post, e.g. http://127.0.0.1:8085/webhooks/wooshpay.")
        var to: String

        @Option(name: .long, help: "Event type of the sample event.")
        var type = "payment_intent.succeeded"

        @Option(name: .long, help: "Post this file's bytes instead of a sample event.")
        var file: String?

        @Option(name: .long, help: "Signing secret (default: the first secret of the configuration).")
        var secret: String?

        @OptionGroup var configOptions: ConfigOptions

        func run() throws {
            let signingSecret: String
            if let secret {
                signingSecret = secret
            } else {
                guard let first = try configOptions.load().secrets.first else { throw ExitCode.configuration }
                signingSecret = first
            }
            let body: [UInt8]
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    Console.error("cannot read \(file)")
                    throw ExitCode.failure
                }
                body = [UInt8](data)
            } else {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                body = Array(SampleEvent.body(type: type, id: SampleEvent.newID(), createdMilliseconds: now).utf8)
            }
            let response: HTTPClientResponse
            do {
                response = try SignedDeliveryClient(url: to, secret: signingSecret).post(body)
            } catch {
                Console.error("cannot post to \(to): \(error)")
                throw ExitCode.failure
            }
            Console.line("HTTP \(response.status)")
            Console.line(response.body)
            if !(200..<300).contains(response.status) { throw ExitCode.failure }
        }
    }
}
