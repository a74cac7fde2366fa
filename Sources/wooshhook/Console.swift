import Foundation
import Journal

/// Output for the command line: results on stdout, problems on stderr prefixed with the program name.
enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("wooshhook: \(message)\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("wooshhook: warning: \(message)\n".utf8))
    }

    /// The warning for a damaged journal line a reader skips (skipped, never fatal).
    static func skipping(_ damage: DamagedLine) {
        let place =
            damage.lineNumber > 0 ? "line \(damage.lineNumber) (offset \(damage.offset))" : "offset \(damage.offset)"
        warning("skipping damaged \(place) of \(damage.segment): \(damage.reason)")
    }

    /// Writes raw bytes plus a newline to stdout (records are bytes and must come out unchanged).
    static func line(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes + [0x0A]))
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
