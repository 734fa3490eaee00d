import CPQ
import Foundation
import SQLite

/// One connection to a PostgreSQL server through libpq, speaking the same value model as the
/// SQLite wrapper (`SQLiteValue`, `SQLiteBindable`, `SQLiteDecodable`) and the same placeholders
/// (`?`, `?N`), so statements and row mappings carry over between the backends.
///
/// Parameters travel as text, typed by where they are used (a number into a `boolean` column
/// is `0` or `1`, as SQLite keeps it), except byte strings, which are `bytea`.
/// Not thread-safe: one thread uses a connection at a time.
public final class PGConnection {
    let handle: OpaquePointer
    /// The URL with any password left out, for messages.
    public let displayURL: String
    private var depth = 0
    /// Statement texts already rewritten for PostgreSQL's placeholders.
    private var translated: [String: String] = [:]
    /// The open transaction is a read-only snapshot.
    private var readOnly = false
    /// Counts transactions begun, so two views from different snapshots differ.
    private var epoch: UInt64 = 0

    /// Connects to `url` (`postgres://user@host:port/db`, `postgresql:///db?host=/run/socket`).
    public init(url: String) throws {
        displayURL = Self.redacted(url)
        guard let connection = PQconnectdb(url) else {
            throw PGError(message: "out of memory", context: "connecting to \(displayURL)")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(connection))
            PQfinish(connection)
            throw PGError(message: message, context: "connecting to \(displayURL)", lostConnection: true)
        }
        handle = connection
        // Notices (a table that already exists, and the like) are not errors: keep them off stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        try execute("SET client_min_messages = warning; SET TIME ZONE 'UTC'")
    }

    deinit { PQfinish(handle) }

    /// A URL's password replaced by `***` (in the userinfo or as a `password=` parameter).
    public static func redacted(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let userinfo = text[scheme.upperBound..<at]
            if let colon = userinfo.firstIndex(of: ":") { text.replaceSubrange(colon..<at, with: ":***") }
        }
        if let password = text.range(of: "password=") {
            let end = text[password.upperBound...].firstIndex(where: { $0 == "&" || $0 == " " }) ?? text.endIndex
            text.replaceSubrange(password.upperBound..<end, with: "***")
        }
        return text
    }

    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// True while the connection is usable.
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version as a number (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs statements without parameters (several may be separated by `;`).
    public func execute(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql)
    }

    func check(_ result: OpaquePointer?, _ sql: String) throws {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
            let message = result.map { Self.text(PQresultErrorMessage($0)) } ?? Self.text(PQerrorMessage(handle))
            let start = sql.split(whereSeparator: \.isNewline).first.map(String.init) ?? sql
            throw PGError(
                message: message.isEmpty ? Self.text(PQerrorMessage(handle)) : message, sqlState: state,
                context: String(start.prefix(80)), lostConnection: PQstatus(handle) != CONNECTION_OK)
        }
    }

    /// Runs one statement with parameters and hands its result to `body`.
    func withResult<T>(_ sql: String, _ arguments: [any SQLiteBindable], _ body: (PGResult) throws -> T) throws -> T {
        let values = arguments.map(\.sqliteValue)
        var types: [UInt32] = []
        var texts: [String?] = []
        types.reserveCapacity(values.count)
        texts.reserveCapacity(values.count)
        for value in values {
            let (type, text): (UInt32, String?) =
                switch value {
                case .null: (0, nil)
                case let .integer(number): (0, String(number))
                case let .real(number): (0, "\(number)")
                case let .text(string): (0, string)
                case let .blob(bytes): (17, PGResult.byteaText(bytes))
                }
            types.append(type)
            texts.append(text)
        }
        let translated = translation(of: sql)
        let result = withCStrings(texts) { pointers in
            PQexecParams(handle, translated, Int32(values.count), types, pointers, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql)
        // safe: check throws for a nil result
        return try body(PGResult(handle: result!))
    }

    /// The statement with PostgreSQL's placeholders, kept per connection: the stores run the same
    /// few hundred texts again and again.
    private func translation(of sql: String) -> String {
        if let known = translated[sql] { return known }
        if translated.count >= 512 { translated.removeAll(keepingCapacity: true) }
        let text = PGPlaceholders.translate(sql)
        translated[sql] = text
        return text
    }

    private func withCStrings<T>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let storage: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for pointer in storage { free(pointer) } }
        return body(storage.map { $0.map { UnsafePointer($0) } })
    }

    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: any SQLiteBindable...) throws -> Int {
        try run(sql, arguments: arguments)
    }

    @discardableResult
    public func run(_ sql: String, arguments: [any SQLiteBindable]) throws -> Int {
        try withResult(sql, arguments) { $0.changedRows }
    }

    public func query<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (PGRow) throws -> T) throws -> [T] {
        try query(sql, arguments: arguments, map: map)
    }

    public func query<T>(_ sql: String, arguments: [any SQLiteBindable], map: (PGRow) throws -> T) throws -> [T] {
        try withResult(sql, arguments) { result in
            try (0..<result.rowCount).map { try map(PGRow(result: result, row: $0)) }
        }
    }

    public func queryFirst<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (PGRow) throws -> T) throws -> T?
    {
        try withResult(sql, arguments) { result in
            result.rowCount == 0 ? nil : try map(PGRow(result: result, row: 0))
        }
    }

    public func scalar<T: SQLiteDecodable>(_ sql: String, _ arguments: any SQLiteBindable..., as type: T.Type = T.self)
        throws -> T
    {
        // The row is read inside the call: the result is freed when it returns.
        try withResult(sql, arguments) { result in
            guard result.rowCount > 0 else { throw PGError(message: "no row", context: String(sql.prefix(80))) }
            return try PGRow(result: result, row: 0).get(0)
        }
    }

    /// Runs `body` in a transaction (a savepoint when one is already open): committed when it
    /// returns, rolled back when it throws. A read-only one sees one snapshot (REPEATABLE READ).
    public func transaction<T>(readOnly: Bool = false, _ body: () throws -> T) throws -> T {
        let savepoint = "portero_\(depth)"
        if depth == 0 {
            try execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
            self.readOnly = readOnly
            epoch &+= 1
        } else {
            try execute("SAVEPOINT \(savepoint)")
        }
        depth += 1
        do {
            let value = try body()
            depth -= 1
            if depth == 0 { self.readOnly = false }
            try execute(depth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
            return value
        } catch {
            depth -= 1
            if depth == 0 { self.readOnly = false }
            if isAlive { try? execute(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)") }
            throw error
        }
    }

    /// Reads in one snapshot: several statements see the same data.
    public func read<T>(_ body: () throws -> T) throws -> T {
        depth > 0 ? try body() : try transaction(readOnly: true, body)
    }

    public var inTransaction: Bool { depth > 0 }

    /// A read-only snapshot left open until `endRead()`; inside a transaction, nothing.
    public func beginRead() throws {
        guard depth == 0 else { return }
        try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        depth = 1
        readOnly = true
        epoch &+= 1
    }

    /// Ends what `beginRead()` began.
    public func endRead() {
        guard depth == 1, readOnly else { return }
        if (try? execute("COMMIT")) == nil { try? execute("ROLLBACK") }
        depth = 0
        readOnly = false
    }

    /// Two equal views mean one read-only snapshot with nothing written in between; nil in a
    /// write transaction (READ COMMITTED: each statement sees a new snapshot) and outside one.
    public var view: Connection.View? {
        depth > 0 && readOnly ? Connection.View(epoch: epoch, changes: 0) : nil
    }
}

@available(*, unavailable, message: "One thread uses a connection at a time")
extension PGConnection: Sendable {}
