import CSQLite

/// An error reported by SQLite, with the context needed to act on it.
///
/// `code` is the extended result code (`sqlite3_extended_errcode`), so a caller can tell
/// `SQLITE_CONSTRAINT_UNIQUE` from `SQLITE_CONSTRAINT_FOREIGNKEY` or `SQLITE_FULL` from `SQLITE_IOERR_FSYNC`.
public struct SQLiteError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_NOTADB`, ...).
    public let code: Int32
    /// SQLite's message for this failure (`sqlite3_errmsg`), or our own where SQLite gave none.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xFF }

    /// The symbolic name SQLite gives the primary code (`sqlite3_errstr`).
    public var codeName: String { String(cString: sqlite3_errstr(code)) }

    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    /// The disk or the database size limit is full (`SQLITE_FULL`).
    public var isDiskFull: Bool { primaryCode == SQLITE_FULL }
    /// The file is not a SQLite database, or is damaged (`SQLITE_NOTADB`, `SQLITE_CORRUPT`).
    public var isNotADatabase: Bool { primaryCode == SQLITE_NOTADB || primaryCode == SQLITE_CORRUPT }

    public var description: String {
        var text = "SQLite error \(code) (\(codeName)): \(message)"
        if let sql { text += " — in: \(sql)" }
        return text
    }
}

/// Errors in how the wrapper is used or in what a row holds, as opposed to errors SQLite reports.
public enum SQLiteUsageError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A column held a value that cannot be read as the requested Swift type.
    case typeMismatch(column: Int32, expected: String, found: String, sql: String)
    /// A statement expected to return a row returned none.
    case noRow(sql: String)
    /// The statement text held more than one statement, where one was expected.
    case trailingStatement(sql: String)

    public var description: String {
        switch self {
        case let .typeMismatch(column, expected, found, sql):
            return "column \(column) holds \(found), expected \(expected) — in: \(sql)"
        case let .noRow(sql):
            return "no row returned — in: \(sql)"
        case let .trailingStatement(sql):
            return "more than one statement in one call — in: \(sql)"
        }
    }
}
