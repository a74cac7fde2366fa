// swift-tools-version:6.0
import PackageDescription

/// One settings array for every target: Swift 6 mode. Warnings fail CI because `scripts/test` greps the build log
/// for warnings in `Sources/` and `Tests/`; there is no `-warnings-as-errors` flag.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// Linux only, and no `platforms:` that would say otherwise: we ship a Debian package, the code calls Glibc, systemd
// and Debian's libevent, OpenSSL and libpq directly, and nothing is built or tested on another system.
let package = Package(
    name: "wooshhook",
    products: [
        .executable(name: "wooshhook", targets: ["wooshhook"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CFileSystem"),
        .systemLibrary(
            name: "CLibpq",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "TextFormats",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SystemSupport",
            dependencies: ["CFileSystem"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Hashing",
            dependencies: ["CCrypto", "TextFormats"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HTTPServer",
            dependencies: [
                "CLibevent",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WooshPay",
            dependencies: ["Hashing", "TextFormats"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Journal",
            dependencies: [
                "Hashing",
                "SystemSupport",
                "TextFormats",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WooshhookDaemon",
            dependencies: [
                "HTTPServer",
                "WooshPay",
                "Journal",
                "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "CLibpq",
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "wooshhook",
            dependencies: [
                "WooshhookDaemon",
                "WooshPay",
                "Journal",
                "HTTPServer",
                "SystemSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WooshhookTesting",
            dependencies: [
                "WooshPay",
                "TextFormats",
                "SystemSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WooshPayTests",
            dependencies: ["WooshPay", "WooshhookTesting"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TextFormatsTests",
            dependencies: ["TextFormats"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SystemSupportTests",
            dependencies: ["SystemSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HashingTests",
            dependencies: ["Hashing", "WooshhookTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JournalTests",
            dependencies: ["Journal", "WooshhookTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WooshhookDaemonTests",
            dependencies: [
                "WooshhookDaemon",
                "WooshPay",
                "Journal",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "WooshhookTesting",
                "WooshPay",
            ],
            exclude: ["Support"],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer harnesses for what faces the network, declared only when WOOSHHOOK_FUZZ=1: `scripts/fuzz` sets it and
// builds them in their own scratch path (.build-fuzz) with -sanitize=fuzzer,address, so sanitizer flags never
// reach the main build. They have no `main` of their own (-sanitize=fuzzer links libFuzzer's), so an ordinary
// `swift build` could not link them; leaving them out of the manifest otherwise keeps `swift build --build-tests`
// exactly as it was. Each is `Tests/Fuzz/<Name>/<Name>Fuzzer.swift`, its seed corpus
// `Tests/Fuzz/corpus/<name-in-kebab-case>/`.
if Context.environment["WOOSHHOOK_FUZZ"] == "1" {
    let fuzzed: [(name: String, module: Target.Dependency)] = [
        ("RequestHeadParser", "HTTPServer"),
        ("SignatureHeader", "WooshPay"),
        ("EventDecoder", "WooshPay"),
    ]
    for (name, module) in fuzzed {
        package.targets.append(
            .executableTarget(
                name: "\(name)Fuzzer",
                dependencies: [module],
                path: "Tests/Fuzz/\(name)",
                // No top-level code: LLVMFuzzerTestOneInput is the entry point, libFuzzer's `main` calls it.
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
            ))
        package.products.append(.executable(name: "\(name)Fuzzer", targets: ["\(name)Fuzzer"]))
    }
}
