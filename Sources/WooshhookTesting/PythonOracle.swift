import Foundation
import TextFormats

/// SHA-256 and HMAC-SHA256 computed by Python's `hashlib` and `hmac`: an implementation independent of the
/// libcrypto that wooshhook links, for the tests to check it against. All the cases go to one Python run.
public enum PythonOracle {
    /// Lowercase hex of HMAC-SHA256(key, message) for each case, in order.
    public static func hmacSHA256(_ cases: [(key: [UInt8], message: [UInt8])]) throws -> [String] {
        try run(
            "import hmac, hashlib, sys\n"
                + "for line in sys.stdin:\n"
                + "    key, message = (bytes.fromhex(part) for part in line.split(' '))\n"
                + "    print(hmac.new(key, message, hashlib.sha256).hexdigest())\n",
            lines: cases.map { hex($0.key) + " " + hex($0.message) })
    }

    /// Lowercase hex of SHA-256(message) for each message, in order.
    public static func sha256(_ messages: [[UInt8]]) throws -> [String] {
        try run(
            "import hashlib, sys\n"
                + "for line in sys.stdin:\n"
                + "    print(hashlib.sha256(bytes.fromhex(line.strip())).hexdigest())\n",
            lines: messages.map(hex))
    }

    private static func run(_ program: String, lines: [String]) throws -> [String] {
        // Debian's own Python when there is one, else the first on PATH.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let input = Data(lines.map { $0 + "\n" }.joined().utf8)
        let result = try SpawnedProcess.run(python, ["-c", program], stdin: input)
        let answers = result.stdout.split(separator: "\n").map(String.init)
        guard result.status == 0, answers.count == lines.count else {
            throw TestFailure(
                "python3 answered \(answers.count) of \(lines.count) cases (exit \(result.status)): \(result.stderr)")
        }
        return answers
    }

    private static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }
}
