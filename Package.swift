// swift-tools-version:6.0
import PackageDescription

/// One settings array for every target: Swift 6 mode, warnings are errors in CI via `-warnings-as-errors`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "wooshhook",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wooshhook", targets: ["wooshhook"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibevent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
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
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto")
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Journal",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
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
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "WooshhookTesting",
            dependencies: [
                "WooshPay"
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WooshPayTests",
            dependencies: ["WooshPay"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JournalTests",
            dependencies: ["Journal"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WooshhookDaemonTests",
            dependencies: ["WooshhookDaemon", "WooshPay"],
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
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Support"],
            swiftSettings: swiftSettings
        ),
    ]
)
