import CoreClient
import Daemon
import Foundation
import LinuxSystem
import PorteroCLI
import PorteroModel
import Service
import SyncWire
#if canImport(Glibc)
import Glibc
#endif

/// `porterod enroll`: trades the one-time code for the device token and the PIN key, and checks
/// that the core's branch is the one this configuration serves before writing anything. Over
/// https://, or plain http:// to this machine only.
enum Enrollment {
    static func run(configurationPath: String, core: String?, code: String?) throws -> ExitCode {
        guard let code, !code.isEmpty else {
            throw CommandLineArguments.UsageError(
                message: "enroll needs --code CODE (from the BackOffice's device page)")
        }
        let configuration: DaemonConfiguration
        do { configuration = try DaemonConfiguration.load(path: configurationPath) } catch let error as ConfigError {
            printError("porterod: \(error)")
            return .config
        }
        guard let coreConfiguration = configuration.core else {
            printError(
                "porterod: \(configurationPath) has no \"core\" section; add {\"url\": ..., \"token_file\": ...} first")
            return .config
        }
        var url = coreConfiguration.url
        if let core {
            guard let given = URL(string: core), ["http", "https"].contains(given.scheme?.lowercased()),
                given.host != nil
            else {
                throw CommandLineArguments.UsageError(
                    message: "--core: expected an http:// or https:// URL, got \"\(core)\"")
            }
            url = given
        }
        // core.allow_plain_http lets sync use a token already issued; the token itself, the PIN key
        // and the code that buys them never cross a network unencrypted.
        guard CoreTransport(url) != .plainOverNetwork else {
            printError(
                "porterod: enrolment is never over plain http:// to another machine (\(url.absoluteString)): "
                    + "the code, the device token and the PIN key would cross the network unencrypted; "
                    + "enrol over https:// (core.allow_plain_http is for sync, not enrolment)")
            return core == nil ? .config : .usage
        }
        let answer: [String: Any]
        do {
            let response = try CoreClient(baseURL: url, token: nil, caFile: coreConfiguration.caFile).send(
                "POST", "api/v1/enroll", json: ["code": code, "softwareVersion": ProgramInfo.version])
            answer = (try response.json() as? [String: Any]) ?? [:]
        } catch let error as CoreClientError {
            printError("porterod: enrolment refused: \(error)")
            return .failure
        }
        guard let token = answer["token"] as? String, let identityObject = answer["identity"],
            let identity = try? JSONDecoder().decode(
                SyncIdentity.self, from: JSONSerialization.data(withJSONObject: identityObject))
        else {
            printError("porterod: the core's answer has no token and identity")
            return .failure
        }
        guard identity.branchID == configuration.branchID.rawValue else {
            printError(
                "porterod: the code belongs to branch \(identity.branchID) (\(identity.branchName)) "
                    + "but \(configurationPath) serves branch \(configuration.branchID); nothing written"
            )
            return .config
        }
        guard let pinKey = bytes(hex: identity.pinKey) else {
            printError("porterod: the core sent a PIN key that is not hex")
            return .failure
        }
        try writePrivately(Array(token.utf8), to: coreConfiguration.tokenFile)
        if let keyFile = configuration.pinKeyFile { try writePrivately(pinKey, to: keyFile) }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        try writePrivately(
            Array(try JSONEncoder().encode(identity)), to: configuration.dataDirectory + "/identity.json")
        print(
            "enrolled as device \(identity.deviceID) of branch \(identity.branchID) "
                + "(\(identity.branchName), \(identity.timeZone)); token in \(coreConfiguration.tokenFile)"
        )
        return .success
    }

    static func bytes(hex: String) -> [UInt8]? {
        guard !hex.isEmpty else { return nil }
        return Hex.decode(hex)
    }

    /// Written to a temporary file created 0600 beside it, synced, then renamed over.
    static func writePrivately(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let temporary = path + ".tmp.\(getpid())"
        let fd = try system("open", temporary) { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        var isOpen = true
        defer { if isOpen { closeDescriptor(fd) } }
        do {
            var offset = 0
            while offset < bytes.count {
                offset += try bytes[offset...].withUnsafeBytes { buffer throws(SystemCallError) in
                    try system("write", temporary) { write(fd, buffer.baseAddress, buffer.count) }
                }
            }
            // The umask may have narrowed the mode further; never wider than 0600.
            try system("fchmod", temporary) { fchmod(fd, 0o600) }
            try system("fsync", temporary) { fsync(fd) }
            closeDescriptor(fd)
            isOpen = false
            try system("rename", "\(temporary) to \(path)") { rename(temporary, path) }
        } catch {
            _ = try? system("unlink", temporary) { unlink(temporary) }
            throw error
        }
    }
}
