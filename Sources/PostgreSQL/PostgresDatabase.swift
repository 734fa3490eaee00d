import SQLite

extension PGRow: SQLRow {}

extension PGError: SQLDatabaseError {
    /// Class 23: integrity constraint violation.
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") == true }
    /// The connection lost, the server starting or stopping, too many connections.
    public var isUnavailable: Bool {
        isConnectionLost || sqlState == "57P03" || sqlState == "53300" || sqlState?.hasPrefix("57P") == true
    }
}

/// A PostgreSQL connection as a `SQLDatabase`: the core's stores run on it unchanged.
public final class PostgresDatabase: SQLDatabase {
    public let connection: PGConnection
    public init(_ connection: PGConnection) { self.connection = connection }

    public var dialect: SQLDialect { .postgres }
    public func execute(_ sql: String) throws { try connection.execute(sql) }
    public func run(_ sql: String, arguments: [any SQLiteBindable]) throws -> Int {
        try connection.run(sql, arguments: arguments)
    }
    public func query<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> [T] {
        try connection.query(sql, arguments: arguments) { try map($0) }
    }
    public func first<T>(_ sql: String, arguments: [any SQLiteBindable], map: (any SQLRow) throws -> T) throws -> T? {
        try connection.withResult(sql, arguments) { result in
            result.rowCount == 0 ? nil : try map(PGRow(result: result, row: 0))
        }
    }
    public func transaction<T>(_ body: () throws -> T) throws -> T { try connection.transaction(body) }
    public func savepoint<T>(_ body: () throws -> T) throws -> T { try connection.transaction(body) }
    public func read<T>(_ body: () throws -> T) throws -> T { try connection.read(body) }
    public func beginRead() throws { try connection.beginRead() }
    public func endRead() { connection.endRead() }
    public var isAutocommit: Bool { !connection.inTransaction }
    public var isUsable: Bool { connection.isAlive }
    public var view: Connection.View? { connection.view }
}

@available(*, unavailable, message: "One thread uses a connection at a time")
extension PostgresDatabase: Sendable {}
