import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `portero login` keeps: the core's address and a personal API token (never the password),
/// in the user's config directory, readable by the user only (0600).
struct Credentials: Codable, Equatable {
    var core: String
    var token: String
    var tokenID: Int64
    var username: String

    /// `$PORTERO_CONFIG_DIR`, else `$XDG_CONFIG_HOME/portero`, else `~/.config/portero`.
    static func directory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["PORTERO_CONFIG_DIR"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/portero" }
        return NSHomeDirectory() + "/.config/portero"
    }

    static var path: String { directory() + "/credentials.json" }

    static func load() throws -> Credentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AdminError("not signed in: run `portero login --core URL --user NAME` first")
        }
        do { return try JSONDecoder().decode(Credentials.self, from: data) } catch {
            throw AdminError("\(path) is not a credentials file (\(error)); run `portero login` again")
        }
    }

    /// Written to a temporary file created 0600, then renamed over the old one.
    func save() throws {
        let directory = Self.directory()
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = directory + "/.credentials.\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AdminError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = Array(try encoder.encode(self))
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, 0o600)
        guard written == data.count, fsync(fd) == 0, close(fd) == 0 else {
            throw AdminError("cannot write \(temporary)")
        }
        guard rename(temporary, Self.path) == 0 else {
            throw AdminError("cannot replace \(Self.path): \(String(cString: strerror(errno)))")
        }
    }

    static func remove() { unlink(path) }
}

/// A failure the CLI reports as it is.
struct AdminError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Reads a secret from the terminal without echo, or the first line of standard input when it is not a terminal.
func readSecret(prompt: String) -> String? {
    guard isatty(0) == 1 else { return readLine(strippingNewline: true) }
    FileHandle.standardError.write(Data(prompt.utf8))
    var original = termios()
    tcgetattr(0, &original)
    var silent = original
    silent.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(0, TCSANOW, &silent)
    defer {
        tcsetattr(0, TCSANOW, &original)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true)
}
