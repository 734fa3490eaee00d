import CSQLite

/// A prepared statement. Owned by one `Connection` and used only on that connection's thread.
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text this statement was prepared from.
    public let sql: String
    private let database: OpaquePointer

    init(database: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            sqlite3_prepare_v3(database, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
        }
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(
                code: sqlite3_extended_errcode(database), message: String(cString: sqlite3_errmsg(database)), sql: sql)
        }
        // One statement per call: text after the first statement would be silently ignored.
        if let tail, tail.pointee != 0, !String(cString: tail).allSatisfy({ $0.isWhitespace || $0 == ";" }) {
            sqlite3_finalize(statement)
            throw SQLiteUsageError.trailingStatement(sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Number of columns in the result rows.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// Clears bindings and rewinds, ready for the next execution.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(
            code: sqlite3_extended_errcode(database), message: String(cString: sqlite3_errmsg(database)), sql: sql)
    }

    /// Binds values to the parameters in order (`?1`, `?2`, ...).
    public func bind(_ values: [any SQLiteBindable]) throws {
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    /// Binds one value to the 1-based parameter `index`.
    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case let .integer(v):
            rc = sqlite3_bind_int64(handle, index, v)
        case let .real(v):
            rc = sqlite3_bind_double(handle, index, v)
        case let .text(v):
            // With its byte length, not up to the first NUL: a text holding U+0000 is stored whole
            // (and an audit row's hash still matches what was written).
            var text = v
            rc = text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    // An empty text must still bind as text, not NULL: a non-nil pointer.
                    sqlite3_bind_text(
                        handle, index, chars.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(chars.count),
                        portero_sqlite_transient())
                }
            }
        case let .blob(v):
            rc = v.withUnsafeBytes { buffer in
                // A zero-length blob must still bind as a blob, not NULL: pass a non-nil pointer.
                sqlite3_bind_blob(
                    handle, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buffer.count),
                    portero_sqlite_transient())
            }
        }
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    /// Binds an integer without boxing; the hot path of the replica look-up uses this.
    public func bind(int64 value: Int64, at index: Int32) throws {
        let rc = sqlite3_bind_int64(handle, index, value)
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    /// Binds a blob without boxing.
    public func bind(bytes value: [UInt8], at index: Int32) throws {
        try bind(.blob(value), at: index)
    }

    /// Advances one step; true while a row is available.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw error(rc)
        }
    }

    /// The current row. Valid until the next `step()` or `reset()`.
    public var row: Row { Row(statement: self) }
}

@available(*, unavailable, message: "A statement belongs to its connection's thread")
extension Statement: Sendable {}

/// A view of the statement's current row. Do not keep it past the next step.
public struct Row {
    @usableFromInline let statement: Statement

    public var columnCount: Int32 { statement.columnCount }

    /// The column's value in its storage class.
    public func value(at column: Int32) -> SQLiteValue {
        let handle = statement.handle
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    /// Reads the column as `T`, throwing a type mismatch that names the column and the SQL.
    /// Inlinable, so callers in other modules get it specialised for their types.
    @inlinable public func get<T: SQLiteDecodable>(_ column: Int32, as type: T.Type = T.self) throws -> T {
        let value = value(at: column)
        guard let decoded = T(sqliteValue: value) else {
            throw SQLiteUsageError.typeMismatch(
                column: column, expected: String(describing: T.self), found: value.typeName, sql: statement.sql)
        }
        return decoded
    }

    /// True when the column holds NULL.
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }

    /// Reads an INTEGER column without boxing (NULL reads as nil).
    public func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement.handle, column) == SQLITE_NULL
            ? nil : sqlite3_column_int64(statement.handle, column)
    }

    /// Reads an INTEGER column that must not be NULL, without boxing or generic dispatch.
    public func requiredInt64(_ column: Int32) throws -> Int64 {
        guard sqlite3_column_type(statement.handle, column) == SQLITE_INTEGER else {
            throw SQLiteUsageError.typeMismatch(
                column: column, expected: "Int64", found: value(at: column).typeName, sql: statement.sql)
        }
        return sqlite3_column_int64(statement.handle, column)
    }

    /// Reads a BLOB column (NULL reads as nil).
    public func bytes(_ column: Int32) -> [UInt8]? {
        guard case let .blob(bytes) = value(at: column) else { return nil }
        return bytes
    }

    /// The column's declared name in the result.
    public func name(of column: Int32) -> String {
        guard let name = sqlite3_column_name(statement.handle, column) else { return "" }
        return String(cString: name)
    }
}
