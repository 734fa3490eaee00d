import Foundation

/// The throwaway PostgreSQL cluster `scripts/test.sh` starts in a temporary folder
/// (`PORTERO_TEST_POSTGRES`, a URL to its maintenance database). Tests that need PostgreSQL
/// are enabled when it is set, and each takes a database of its own.
public enum PostgresTestServer {
    public static let url = ProcessInfo.processInfo.environment["PORTERO_TEST_POSTGRES"]
    public static var available: Bool { url != nil }

    /// `url` with its database replaced by `name` (`postgresql:///postgres?host=…` or
    /// `postgres://user@host:port/postgres`).
    public static func url(database name: String) -> String? {
        guard let url, var components = URLComponents(string: url) else { return nil }
        components.path = "/" + name
        return components.string
    }
}
