import Foundation

/// SplitMix64: random test input that can be replayed. Every test that draws random input (the crash and power-cut
/// moments, the HMAC and escaping cases) takes its seed from `seed(for:variable:)`, which prints it, so a failure can
/// be run again with exactly the same input.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed from `variable` in the environment, else a new one; printed either way, so a failure can be replayed.
    public static func seed(for tests: String, variable: String) -> UInt64 {
        let given = ProcessInfo.processInfo.environment[variable].flatMap { UInt64($0) }
        let seed = given ?? UInt64.random(in: 1...UInt64.max)
        print("\(tests): seed \(seed) (replay with \(variable)=\(seed))")
        return seed
    }
}
