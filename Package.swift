// swift-tools-version:6.0
// Portero: physical access control for gyms and multi-branch clubs.
// No Swift package dependencies: only the toolchain and Debian C libraries (README, "Dependencies").
import PackageDescription

let package = Package(
    name: "Portero",
    products: [
        .executable(name: "porterod", targets: ["porterod"]),
        .executable(name: "portero-core", targets: ["portero-core"]),
        .executable(name: "portero", targets: ["portero"]),
        .executable(name: "portero-bench", targets: ["portero-bench"]),
    ],
    targets: [
        // C bridges: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CUDev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinux", providers: [.apt(["linux-libc-dev", "libc6-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Domain and typed wrappers.
        .target(name: "PorteroModel"),
        .target(name: "SQLite", dependencies: ["CSQLite"]),
        .target(name: "PostgreSQL", dependencies: ["CPQ", "CLinux", "SQLite"]),
        .target(name: "Crypto", dependencies: ["CCrypto"]),
        .target(name: "SyncWire", dependencies: ["PorteroModel"]),
        .target(name: "Replica", dependencies: ["PorteroModel", "SQLite", "Crypto", "SyncWire"]),
        .target(name: "LinuxSystem", dependencies: ["CLinux"]),
        .target(name: "Service", dependencies: ["LinuxSystem"]),
        .target(name: "Hardware", dependencies: ["CLinux", "CGPIOD", "CUDev", "PorteroModel", "LinuxSystem"]),
        .target(name: "Readers", dependencies: ["PorteroModel", "Hardware", "LinuxSystem"]),
        .target(
            name: "Daemon",
            dependencies: [
                "PorteroModel", "Replica", "Hardware", "Readers", "SQLite", "CLinux", "HTTP", "CoreClient",
                "LinuxSystem",
                "Service", "SyncWire", "Crypto",
            ]),
        .target(name: "HTTP", dependencies: ["CLinux"]),
        .target(name: "Server", dependencies: ["HTTP", "CLinux", "LinuxSystem", "Service"]),
        .target(
            name: "CoreStorage",
            dependencies: ["PorteroModel", "SQLite", "PostgreSQL", "Crypto", "SyncWire", "Service"]),
        .target(
            name: "BackOffice",
            dependencies: [
                "CoreStorage", "PorteroModel", "SQLite", "PostgreSQL", "Crypto", "HTTP", "Service", "SyncWire",
                "LinuxSystem", "Mail",
            ]),
        .target(name: "WebUI", dependencies: ["BackOffice", "CoreStorage", "PorteroModel", "HTTP"]),
        .target(name: "DemoSeed", dependencies: ["CoreStorage", "PorteroModel", "SQLite", "SyncWire"]),
        .target(name: "PorteroCLI"),
        .target(name: "CoreClient", dependencies: ["CCurl"]),
        .target(name: "Mail", dependencies: ["CCurl"]),

        // Executables: argument parsing and wiring only.
        .executableTarget(
            name: "porterod",
            dependencies: [
                "PorteroCLI", "Replica", "Daemon", "CoreClient", "PorteroModel", "LinuxSystem", "Service", "SyncWire",
            ]),
        .executableTarget(
            name: "portero-core",
            dependencies: [
                "PorteroCLI", "CoreStorage", "BackOffice", "WebUI", "DemoSeed", "SQLite", "HTTP", "Server", "Service",
                "Mail",
            ]),
        .executableTarget(
            name: "portero",
            dependencies: [
                "PorteroCLI", "Readers", "CoreClient", "CoreStorage", "DemoSeed", "PorteroModel", "Service",
                "LinuxSystem", "SQLite", "Crypto",
            ]),
        .executableTarget(
            name: "portero-bench",
            dependencies: [
                "PorteroModel", "Replica", "SQLite", "Crypto", "PorteroCLI", "Readers", "CoreStorage", "BackOffice",
                "WebUI", "DemoSeed", "Daemon", "CoreClient",
                "HTTP", "Server", "Service", "SyncWire",
            ],
            path: "Benchmarks/portero-bench"
        ),

        // Helpers shared by the test targets (temporary directories, the libosdp peer).
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        // One test target per module.
        .testTarget(name: "PorteroModelTests", dependencies: ["PorteroModel"]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "CSQLite", "TestSupport"]),
        .testTarget(name: "PostgreSQLTests", dependencies: ["PostgreSQL", "SQLite", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestSupport"]),
        .testTarget(
            name: "ReplicaTests",
            dependencies: ["Replica", "PorteroModel", "SQLite", "Crypto", "TestSupport", "SyncWire"]),
        .testTarget(name: "CBridgeTests", dependencies: ["CLinux", "CGPIOD", "CUDev", "CSQLite", "CCrypto"]),
        .testTarget(
            name: "HardwareTests",
            dependencies: ["Hardware", "Readers", "PorteroModel", "CLinux", "TestSupport", "LinuxSystem"]),
        .testTarget(name: "ReadersTests", dependencies: ["Readers", "PorteroModel", "TestSupport"]),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Daemon", "Crypto", "PorteroModel", "Hardware", "Readers", "Replica", "TestSupport", "LinuxSystem",
                "Service",
                "SyncWire",
            ]),
        .testTarget(name: "LinuxSystemTests", dependencies: ["LinuxSystem", "CLinux"]),
        .testTarget(name: "ServiceTests", dependencies: ["Service", "LinuxSystem", "TestSupport"]),
        .testTarget(name: "SyncWireTests", dependencies: ["SyncWire", "PorteroModel"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "HTTP", "CLinux", "TestSupport"]),
        .testTarget(
            name: "CoreTests",
            dependencies: [
                "CoreStorage", "BackOffice", "WebUI", "DemoSeed", "SQLite", "PostgreSQL", "PorteroModel", "TestSupport",
                "Server", "HTTP", "SyncWire", "Mail",
            ],
            exclude: ["Peers"]),
        .testTarget(
            name: "PorteroCLITests",
            dependencies: [
                "PorteroCLI", "CoreClient", "PorteroModel", "Replica", "TestSupport", "CoreStorage", "BackOffice",
                "WebUI", "DemoSeed", "SQLite", "Readers",
                "Daemon",
                "Service", "LinuxSystem", "SyncWire", "PostgreSQL",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
