import Foundation

/// A progress bar on stderr, drawn only when stderr is a terminal (so logs and pipes stay clean).
struct ProgressBar {
    private let total: Int
    private let enabled = isatty(2) == 1

    init(total: Int) {
        self.total = total
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled, total > 0 else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
