import PostgreSQL
import SQLite

/// Where the core keeps its data: a SQLite file (the embedded default, one machine) or a
/// PostgreSQL database (`postgres://` or `postgresql://`; several instances may share it).
public enum CoreDatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// A `postgres://` or `postgresql://` URL, or else a file path.
    public init(_ text: String) {
        self =
            text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
            ? .postgres(url: text) : .sqlite(path: text)
    }

    /// For messages: the path, or the URL without its password.
    public var description: String {
        switch self {
        case let .sqlite(path): path
        case let .postgres(url): PGConnection.redacted(url)
        }
    }

    /// Opens one connection.
    public func connect(options: ConnectionOptions = ConnectionOptions()) throws -> any SQLDatabase {
        switch self {
        case let .sqlite(path): SQLiteDatabase(try Connection(path: path, options: options))
        case let .postgres(url): PostgresDatabase(try PGConnection(url: url))
        }
    }

    /// Brings the schema up to date; run once at start, before any connection serves.
    public func migrate(options: ConnectionOptions = ConnectionOptions()) throws {
        switch self {
        case let .sqlite(path): try CoreSchema.migrate(try Connection(path: path, options: options))
        case let .postgres(url): try CoreSchema.postgresMigrator.migrate(try PGConnection(url: url))
        }
    }
}
