import ArgumentParser
import Foundation
import WooshPay

extension WooshhookCommand {
    /// Prints the `Wooshpay-Signature` value for a body, as WooshPay would send it.
    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the Wooshpay-Signature header value for the body in FILE.")

        @Option(name: .long, help: "The endpoint secret, exactly as issued (whsec_…).")
        var secret: String

        @Option(name: .long, help: "The t value to sign with (default: now, in seconds).")
        var timestamp: String?

        @Argument(help: "The body to sign, byte for byte.")
        var file: String

        func validate() throws {
            if let timestamp, timestamp.isEmpty || !timestamp.allSatisfy(\.isASCII) || !timestamp.allSatisfy(\.isNumber)
            {
                throw ValidationError("--timestamp must be digits (epoch seconds or milliseconds)")
            }
            guard !secret.isEmpty else { throw ValidationError("--secret must not be empty") }
        }

        func run() throws {
            guard let body = FileManager.default.contents(atPath: file) else {
                Console.error("cannot read \(file)")
                throw ExitCode.failure
            }
            let t = timestamp ?? String(Int(Date().timeIntervalSince1970))
            Console.line(Signer.header(secret: secret, timestamp: t, body: [UInt8](body)))
        }
    }
}
