/// A row of a result, whichever database gave it; valid only inside the call that gave it.
public protocol SQLRow {
    var columnCount: Int32 { get }
    func value(at column: Int32) -> SQLiteValue
    func isNull(_ column: Int32) -> Bool
    /// An integer column without boxing (NULL reads as nil).
    func int64(_ column: Int32) -> Int64?
    /// A byte-string column (NULL reads as nil).
    func bytes(_ column: Int32) -> [UInt8]?
}

extension SQLRow {
    /// The column as `T`, or an error naming the column and what it held.
    public func get<T: SQLiteDecodable>(_ column: Int32, as type: T.Type = T.self) throws -> T {
        let value = value(at: column)
        guard let decoded = T(sqliteValue: value) else {
            throw SQLRowError(column: column, found: value.typeName, expected: String(describing: T.self))
        }
        return decoded
    }
}

public struct SQLRowError: Error, Equatable, Sendable, CustomStringConvertible {
    public let column: Int32
    public let found: String
    public let expected: String
    public var description: String { "column \(column) holds \(found), not \(expected)" }
}

/// The two SQL dialects the core speaks, and the few fragments they write differently. Every
/// other statement is written once, in the part both understand: `?` placeholders, `ON CONFLICT`,
/// `RETURNING`, `IS [NOT] DISTINCT FROM`, CTEs and window functions.
public enum SQLDialect: Sendable, Equatable {
    case sqlite, postgres

    /// A subquery of the integers in a JSON array bound at `parameter` (`IN (…)` with any count).
    public func integers(in parameter: String) -> String {
        switch self {
        case .sqlite: "SELECT value FROM json_each(\(parameter))"
        case .postgres: "SELECT value::bigint FROM json_array_elements_text(\(parameter)::json) AS value"
        }
    }

    /// A subquery of the strings in a JSON array bound at `parameter`.
    public func strings(in parameter: String) -> String {
        switch self {
        case .sqlite: "SELECT value FROM json_each(\(parameter))"
        case .postgres: "SELECT value FROM json_array_elements_text(\(parameter)::json) AS value"
        }
    }

    /// The values of a group joined by `separator` (a literal without quotes in it), each once
    /// when `distinct` (SQLite then joins with a comma, whatever the separator).
    public func joined(_ expression: String, separator: String, distinct: Bool = false) -> String {
        switch (self, distinct) {
        case (.sqlite, false): "group_concat(\(expression), '\(separator)')"
        case (.sqlite, true): "group_concat(DISTINCT \(expression))"
        case (.postgres, _): "string_agg(\(distinct ? "DISTINCT " : "")(\(expression))::text, '\(separator)')"
        }
    }

    /// The larger of two values (NULL when either is, in both dialects' terms; use with values
    /// that are not NULL).
    public func greater(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "max(\(first), \(second))"
        case .postgres: "greatest(\(first), \(second))"
        }
    }

    public func lesser(_ first: String, _ second: String) -> String {
        switch self {
        case .sqlite: "min(\(first), \(second))"
        case .postgres: "least(\(first), \(second))"
        }
    }

    /// A pattern match that ignores the case of ASCII letters, as SQLite's LIKE does.
    public var like: String {
        switch self {
        case .sqlite: "LIKE"
        case .postgres: "ILIKE"
        }
    }

    /// An expression compared and sorted without regard to ASCII case (`caseless("name") = caseless("?")`).
    public func caseless(_ expression: String) -> String {
        switch self {
        case .sqlite: "\(expression) COLLATE NOCASE"
        case .postgres: "lower(\(expression))"
        }
    }

    /// SQLite's hint to use `index` for a table; PostgreSQL's planner takes no hints.
    public func indexedBy(_ index: String) -> String {
        switch self {
        case .sqlite: "INDEXED BY \(index)"
        case .postgres: ""
        }
    }

    /// The text at `path` (`$.a.b`) inside a JSON text column.
    public func jsonText(_ column: String, _ path: String) -> String {
        switch self {
        case .sqlite: "json_extract(\(column), '\(path)')"
        case .postgres:
            "((\(column))::json #>> '{\(path.dropFirst(2).split(separator: ".").joined(separator: ","))}')"
        }
    }
}

/// What a writer may need to be alone at (PostgreSQL advisory lock keys).
public enum WriteLock: Int64, Sendable {
    /// The audit trail's hash chain: each row names the one before it.
    case audit = 7_301
    /// The change log's sequence as cursors see it (see the core's feed).
    case changeLog = 7_302
}

/// An error from either backend, classified the way the stores act on it.
public protocol SQLDatabaseError: Error {
    /// A UNIQUE, NOT NULL, CHECK or foreign-key constraint refused the statement.
    var isConstraintViolation: Bool { get }
    /// The database cannot take the statement now (busy, full, unreachable, restarting):
    /// nothing was written, and the same request may succeed later.
    var isUnavailable: Bool { get }
}

extension SQLiteError: SQLDatabaseError {
    public var isUnavailable: Bool { isBusy || isDiskFull }
}

/// What the core's stores need of a connection, whichever the backend: statements with `?`
/// placeholders and `SQLiteValue`s, transactions that nest as savepoints, and snapshot reads.
/// One thread uses a connection at a time.
public protocol SQLDatabase: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs statements without parameters (several may be separated by `;`).
    func execute(_ sql: String) throws
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult func run(_ sql: String, arguments: [any SQLiteBindable]) throws -> Int
    func query<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> [T]
    /// The first row only (the statement stops there).
    func first<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> T?
    /// A write transaction (the write lock taken at once); a savepoint inside another.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// A savepoint: inside a transaction, only its own changes roll back when `body` throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// Statements that see one snapshot; inside a transaction, just `body`.
    func read<T>(_ body: () throws -> T) throws -> T
    /// A read snapshot that stays open after this call until `endRead()` (outside a transaction).
    func beginRead() throws
    func endRead()
    /// True outside any transaction.
    var isAutocommit: Bool { get }
    /// False once the connection is gone (a PostgreSQL server restarted or cut it): a pool
    /// drops it and opens another.
    var isUsable: Bool { get }
    /// What the connection sees, as a value (see `Connection.view`); nil when it cannot be kept.
    var view: Connection.View? { get }
}

extension SQLDatabase {
    /// Runs one statement that may break a constraint so that, if it does, the transaction around
    /// it stays usable (PostgreSQL aborts a transaction at its first error unless a savepoint
    /// holds the statement; SQLite fails the statement alone).
    @discardableResult
    public func attempt<T>(_ body: () throws -> T) throws -> T {
        switch dialect {
        case .sqlite: try body()
        case .postgres: try savepoint(body)
        }
    }

    /// Makes the transaction the only writer of `what` until it ends. SQLite has one writer at a
    /// time already (transactions take the write lock at BEGIN); PostgreSQL takes a
    /// transaction-scoped advisory lock, so instances over one database queue here.
    public func lockForWriting(_ what: WriteLock) throws {
        guard dialect == .postgres else { return }
        _ = try query("SELECT pg_advisory_xact_lock(?)", arguments: [what.rawValue]) { _ in () }
    }

    @discardableResult
    public func run(_ sql: String, _ arguments: any SQLiteBindable...) throws -> Int {
        try run(sql, arguments: arguments)
    }

    public func query<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (any SQLRow) throws -> T) throws
        -> [T]
    {
        try query(sql, arguments: arguments, map: map)
    }

    public func queryFirst<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (any SQLRow) throws -> T)
        throws -> T?
    {
        try first(sql, arguments: arguments, map: map)
    }

    /// The first column of the first row; an error when there is no row.
    public func scalar<T: SQLiteDecodable>(_ sql: String, _ arguments: any SQLiteBindable..., as type: T.Type = T.self)
        throws -> T
    {
        guard let found = try first(sql, arguments: arguments, map: { try $0.get(0) as T }) else {
            throw SQLRowError(column: 0, found: "no row", expected: String(describing: T.self))
        }
        return found
    }
}

extension Row: SQLRow {}

/// A SQLite connection as a `SQLDatabase`.
public final class SQLiteDatabase: SQLDatabase {
    public let connection: Connection
    public init(_ connection: Connection) { self.connection = connection }

    public var dialect: SQLDialect { .sqlite }
    public func execute(_ sql: String) throws { try connection.execute(sql) }
    public func run(_ sql: String, arguments: [any SQLiteBindable]) throws -> Int {
        try connection.run(sql, arguments: arguments)
    }
    public func query<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> [T] {
        try connection.query(sql, arguments: arguments) { try map($0) }
    }
    public func first<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> T? {
        try connection.queryFirst(sql, arguments: arguments) { try map($0) }
    }
    public func transaction<T>(_ body: () throws -> T) throws -> T { try connection.transaction(.immediate, body) }
    public func savepoint<T>(_ body: () throws -> T) throws -> T { try connection.savepoint(body) }
    public func read<T>(_ body: () throws -> T) throws -> T { try connection.read(body) }
    public func beginRead() throws { try connection.beginRead() }
    public func endRead() { connection.endRead() }
    public var isAutocommit: Bool { connection.isAutocommit }
    public var isUsable: Bool { true }
    public var view: Connection.View? { connection.view }
}

@available(*, unavailable, message: "One thread uses a connection at a time")
extension SQLiteDatabase: Sendable {}

/// A statement's text built once for each dialect (for statements kept as static values).
public struct DialectText: Sendable {
    private let sqlite: String
    private let postgres: String

    public init(_ build: (SQLDialect) -> String) {
        sqlite = build(.sqlite)
        postgres = build(.postgres)
    }

    public subscript(_ dialect: SQLDialect) -> String { dialect == .sqlite ? sqlite : postgres }
}
