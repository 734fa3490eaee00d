import BackOffice
import CoreStorage
import DemoSeed
import WebUI
import Foundation
import SQLite
import PorteroModel
import Replica
import Testing

/// The built executables, run as a person would. Found next to the test bundle in the build folder.
enum Built {
    static let directory: URL? = {
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("porterod").path) { return url }
            url.deleteLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug")
        return FileManager.default.isExecutableFile(atPath: fallback.appendingPathComponent("porterod").path)
            ? fallback : nil
    }()

    /// Runs `program` with `arguments`, `input` on its standard input (then closed) and, when
    /// given, only `environment`; returns its status, standard output and standard error.
    static func run(
        _ program: String, _ arguments: [String], input: String = "",
        environment: [String: String]? = nil
    ) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL =
            directory!.appendingPathComponent(program)  // safe: suites run only when directory is set
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe()
        let out = Pipe()
        let err = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}

@Suite(.enabled(if: Built.directory != nil)) struct ExecutableTests {
    @Test(arguments: ["porterod", "portero-core", "portero"])
    func answersVersionAndHelp(program: String) throws {
        let version = try Built.run(program, ["--version"])
        #expect(version.status == 0)
        #expect(version.out == "\(program) 0.1.0 (Portero)\n")
        let help = try Built.run(program, ["--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("Usage: \(program)"))
        #expect(help.out.contains("Status:"))
    }

    @Test(arguments: ["portero-core"])
    func saysWhatIsNotBuiltInsteadOfPretending(program: String) throws {
        let result = try Built.run(program, [])
        #expect(result.status == 69)  // EX_UNAVAILABLE
        #expect(result.err.contains("name a command"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try Built.run("porterod", ["--frobnicate"])
        #expect(result.status == 64)
        #expect(result.err == "porterod: unknown option --frobnicate (see porterod --help)\n")
    }

    @Test func checkReplicaReportsCountsAndIntegrity() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portero-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("replica.sqlite").path
        do {
            let store = try ReplicaStore(path: path, branchID: BranchID(4), timeZone: "Europe/Madrid")
            try store.apply(
                [.upsertUser(ReplicaUser(id: UserID(1), clave: 1, displayName: "Ana", active: true))], cursor: 42)
        }
        let result = try Built.run("porterod", ["--check-replica", path, "--branch", "4"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("sync cursor 42"))
        #expect(result.out.contains("users 1, credentials 0"))
        #expect(result.out.contains("integrity ok"))
        let wrongBranch = try Built.run("porterod", ["--check-replica", path, "--branch", "5"])
        #expect(wrongBranch.status == 1)
        #expect(wrongBranch.err.contains("is the replica of branch 4, not of branch 5"))
        let missingBranch = try Built.run("porterod", ["--check-replica", path])
        #expect(missingBranch.status == 64)
    }
}

@Suite(.enabled(if: Built.directory != nil)) struct CardDecodeTests {
    @Test func wiegandIssueVector() throws {
        let result = try Built.run("portero", ["card", "decode", "wiegand", "10111101100010001110101110"])
        #expect(result.status == 0)
        #expect(
            result.out == #"{"format":"h10301","bits":26,"facility":123,"number":4567,"credential":"8065495"}"# + "\n")
    }

    @Test func em4100WithChecksum() throws {
        let result = try Built.run("portero", ["card", "decode", "em4100", "1A00BC614681"])
        #expect(result.status == 0)
        #expect(result.out == #"{"format":"em4100","bits":40,"number":12345670,"credential":"12345670"}"# + "\n")
    }

    @Test func failedParityExitsNonZeroNamingTheCheck() throws {
        let result = try Built.run("portero", ["card", "decode", "wiegand", "10111101100010001110101111"])
        #expect(result.status == 65)
        #expect(result.out.isEmpty)
        #expect(result.err.contains("trailing odd (bits 13-24) parity check failed"))
    }

    @Test func failedChecksumExitsNonZero() throws {
        let result = try Built.run("portero", ["card", "decode", "em4100", "1A00BC614682"])
        #expect(result.status == 65)
        #expect(result.err.contains("checksum 0x82 does not match the data (0x81)"))
    }

    @Test func malformedInputIsAUsageError() throws {
        #expect(try Built.run("portero", ["card", "decode", "wiegand", "10x1"]).status == 64)
        #expect(try Built.run("portero", ["card", "decode", "mifare", "00"]).status == 64)
        #expect(try Built.run("portero", ["card", "decode"]).status == 64)
    }
}

@Suite(.enabled(if: Built.directory != nil)) struct CheckConfigTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Config/porterod.json").path

    @Test func theSampleConfigurationChecksOut() throws {
        let result = try Built.run("porterod", ["--check-config", Self.sample])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("ok — branch 1 (America/Mexico_City), 2 door(s), 4 reader(s)"))
    }

    @Test func anUnknownKeyExits78NamingFileAndKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("porterod-\(UUID().uuidString).json")
            .path
        try #"{"branch": {"id": 1, "time_zone": "UTC"}, "dorrs": []}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Built.run("porterod", ["--check-config", path])
        #expect(result.status == 78)
        #expect(result.err.contains("\(path): dorrs: unknown key"))
    }
}

@Suite(.enabled(if: Built.directory != nil)) struct AuditVerifyCommandTests {
    @Test func verifyReportsAnIntactTrailAndThenTheEditedRow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("core.sqlite").path
        let writer = try SQLite.Connection(path: path)
        try CoreSchema.migrate(writer)
        let audit = try SQLAuditStore(connection: SQLiteDatabase(writer))
        _ = try audit.append(
            actor: "system", action: "core.init", target: "user:1", changes: "{}", at: Timestamp(milliseconds: 1))
        _ = try audit.append(
            actor: "user:1", action: "branch.create", target: "branch:1", changes: #"{"name":"Centro"}"#,
            at: Timestamp(milliseconds: 2))
        let intact = try Built.run("portero-core", ["audit", "verify", "--database", path])
        #expect(intact.status == 0)
        #expect(intact.out.hasPrefix("audit trail intact: 2 row(s), head "))
        try writer.execute("DROP TRIGGER audit_rows_are_never_updated")
        try writer.run("UPDATE audit SET target = 'branch:2' WHERE id = 2")
        let broken = try Built.run("portero-core", ["audit", "verify", "--database", path])
        #expect(broken.status == 65)
        #expect(broken.err.contains("BROKEN at row 2: its content does not match its hash (edited)"))
    }
}

@Suite(.enabled(if: Built.directory != nil)) struct CoreInitTests {
    static func run(_ arguments: [String], input: String) throws -> (status: Int32, out: String, err: String) {
        try Built.run("portero-core", arguments, input: input)
    }

    @Test func initCreatesTheFirstSuperAdministratorOnceWithAPasswordFromStandardInput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-init-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("core.sqlite").path
        let arguments = ["init", "--database", path, "--username", "root", "--email", "root@club.mx"]
        #expect(try Self.run(arguments, input: "").status == 64)
        #expect(try Self.run(arguments, input: "weak\n").err.contains("password: needs"))
        let created = try Self.run(arguments, input: "Secreto123\n")
        #expect(created.status == 0, "\(created.err)")
        #expect(created.out.contains("created SuperAdministrador root"))
        let again = try Self.run(arguments, input: "Secreto123\n")
        #expect(again.status == 65 && again.err.contains("already has users"))
        let verify = try Built.run("portero-core", ["audit", "verify", "--database", path])
        #expect(verify.status == 0 && verify.out.contains("1 row(s)"))
    }
}

@Suite(.serialized, .enabled(if: Built.directory != nil)) struct CoreServeTests {
    @Test func servesSignInAndMeOverLoopbackAndStopsOnSIGTERM() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("core-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("core.sqlite").path
        #expect(
            try CoreInitTests.run(
                ["init", "--database", path, "--username", "root", "--email", "root@club.mx"], input: "Secreto123\n"
            ).status == 0)
        let process = Process()
        process.executableURL = Built.directory!.appendingPathComponent("portero-core")
        process.arguments = ["serve", "--database", path, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        let port = try servingPort(out)
        let body = #"{"login": "root", "password": "Secreto123"}"#
        #expect(
            rawRequest(port: port, "GET /api/v1/x HTTP/1.1\r\nHost: core\r\nConnection: close\r\n\r\n").hasPrefix(
                "HTTP/1.1 404"))
        let signIn = rawRequest(
            port: port,
            "POST /api/v1/session HTTP/1.1\r\nHost: core\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        )
        #expect(signIn.hasPrefix("HTTP/1.1 201"))
        let cookie = try #require(
            signIn.components(separatedBy: "\r\n").first { $0.hasPrefix("Set-Cookie: ") }?.dropFirst(12).split(
                separator: ";"
            ).first)
        let me = rawRequest(
            port: port, "GET /api/v1/me HTTP/1.1\r\nHost: core\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
        #expect(me.hasPrefix("HTTP/1.1 200") && me.contains(#""username":"root""#))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

/// One request over a new loopback connection to `port`; the whole answer.
func rawRequest(port: UInt16, _ text: String) -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    return exchange(connected: fd, text)
}

/// The port in portero-core's first line ("portero-core serving http://127.0.0.1:PORT/ …").
func servingPort(_ out: Pipe) throws -> UInt16 {
    var line = ""
    while !line.contains("\n"), let chunk = try out.fileHandleForReading.read(upToCount: 1) {
        line += String(decoding: chunk, as: UTF8.self)
    }
    let address = line.split(separator: " ").first { $0.hasPrefix("http://") } ?? ""
    return try #require(address.split(separator: ":").last.flatMap { UInt16($0.prefix { $0.isNumber }) })
}
