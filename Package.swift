// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "sshlog",
    products: [
        .executable(name: "sshlog", targets: ["sshlog"]),
        .library(name: "SSHLogCore", targets: ["SSHLogCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, wrapped by shim.h (macros such as inflateInit2 are not importable).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // The engine: ingest → syslog → patterns → correlate → explain → render.
        .target(name: "SSHLogCore", dependencies: ["CZlib", "CSystemd"]),
        // The command line: arguments only.
        .executableTarget(name: "sshlog", dependencies: [
            "SSHLogCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Opt-in benchmark driver (make bench).
        .executableTarget(name: "sshlog-bench", dependencies: ["SSHLogCore"]),
        .testTarget(name: "SSHLogCoreTests", dependencies: ["SSHLogCore", "sshlog"]),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v5))
    // The per-line path mutates class state (reader offsets, the zone cache) millions of times a
    // second; dynamic exclusivity checks cost a quarter of ingest time. Checked in debug builds.
    settings.append(.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)))
    target.swiftSettings = settings
}
