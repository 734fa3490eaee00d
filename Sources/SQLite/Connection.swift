import CSQLite

/// How a connection is opened and set up.
public struct ConnectionOptions: Sendable, Equatable {
    /// `PRAGMA synchronous`: how hard a commit waits for the disk.
    public enum Synchronous: String, Sendable {
        /// No fsync; a power cut may lose or corrupt recent commits.
        case off = "OFF"
        /// In WAL mode, commits are atomic but the last ones may roll back after a power cut.
        case normal = "NORMAL"
        /// In WAL mode, each commit fsyncs the log: a returned commit survives a power cut.
        case full = "FULL"
        /// FULL plus an fsync of the directory after the log is created.
        case extra = "EXTRA"
    }

    public var readOnly: Bool = false
    /// Create the file when it does not exist (ignored when read-only).
    public var create: Bool = true
    /// Use write-ahead logging: readers do not block the writer, and commits are appends.
    public var writeAheadLog: Bool = true
    public var synchronous: Synchronous = .full
    public var foreignKeys: Bool = true
    /// How long a statement waits for another connection's lock before `SQLITE_BUSY`.
    public var busyTimeoutMilliseconds: Int32 = 5_000
    /// Page cache bound, in KiB (`PRAGMA cache_size = -N`).
    public var cacheSizeKiB: Int = 8_192
    /// Statements kept prepared for reuse; the least recently used is evicted.
    public var statementCacheCapacity: Int = 64
    /// WAL pages after which a commit runs a checkpoint itself (`PRAGMA wal_autocheckpoint`).
    /// Raise it when a `Checkpointer` does the work off the commit path; nil keeps SQLite's 1000.
    public var walAutoCheckpointPages: Int?

    public init() {}
}

/// One SQLite connection.
///
/// Not thread-safe: it is opened in SQLite's multi-thread mode (`SQLITE_OPEN_NOMUTEX`) and must be
/// used from one thread at a time. `SerialConnection` gives it a queue of its own.
public final class Connection {
    let handle: OpaquePointer
    /// Path of the database file (`:memory:` for an in-memory database).
    public let path: String
    public let options: ConnectionOptions
    /// Prepared statements by SQL text, each with the tick of its last use (least recently used is evicted).
    private var cache: [String: CachedStatement] = [:]
    final class CachedStatement {
        let statement: Statement
        var lastUse: UInt64
        init(_ statement: Statement, lastUse: UInt64) {
            self.statement = statement
            self.lastUse = lastUse
        }
    }

    /// Memory statistics off before the first connection opens (see the shim): nothing here
    /// reads them, and they serialise every allocation across threads.
    private static let processSetUp: Void = { _ = portero_sqlite_disable_memory_statistics() }()
    private var tick: UInt64 = 0
    private var savepointDepth = 0
    /// Moved whenever what this connection sees may move other than by its own writes: a
    /// transaction or savepoint begun or ended through this API (see `view`).
    private var viewEpoch: UInt64 = 0

    /// Opens (and, unless read-only, creates) the database at `path` and applies `options`.
    public init(path: String, options: ConnectionOptions = ConnectionOptions()) throws {
        Self.processSetUp
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if options.readOnly {
            flags |= SQLITE_OPEN_READONLY
        } else {
            flags |= SQLITE_OPEN_READWRITE
            if options.create { flags |= SQLITE_OPEN_CREATE }
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "cannot open \(path): \(message)")
        }
        sqlite3_extended_result_codes(db, 1)
        self.handle = db
        self.path = path
        self.options = options
        do {
            try configure()
        } catch {
            // deinit closes the handle; the statement cache is still empty here.
            throw error
        }
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    private func configure() throws {
        sqlite3_busy_timeout(handle, options.busyTimeoutMilliseconds)
        // Reading the schema first turns a foreign or damaged file into SQLITE_NOTADB here, at open.
        try execute("SELECT count(*) FROM sqlite_schema")
        if options.writeAheadLog && !options.readOnly && path != ":memory:" {
            let mode = try scalar("PRAGMA journal_mode = WAL", as: String.self)
            guard mode.lowercased() == "wal" else {
                throw SQLiteError(
                    code: SQLITE_ERROR, message: "could not switch \(path) to WAL (journal_mode is \(mode))")
            }
        }
        try execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
        try execute("PRAGMA foreign_keys = \(options.foreignKeys ? "ON" : "OFF")")
        try execute("PRAGMA cache_size = -\(max(options.cacheSizeKiB, 64))")
        if let pages = options.walAutoCheckpointPages {
            try execute("PRAGMA wal_autocheckpoint = \(max(0, pages))")
        }
        // Keep temporary b-trees in memory; the replica's sorts are small.
        try execute("PRAGMA temp_store = MEMORY")
    }

    func lastError(sql: String? = nil) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    // MARK: Executing

    /// Runs one or more statements with no parameters and no results (a script, a pragma).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A prepared statement for `sql`, from the cache when it was prepared before.
    /// The statement is reset and its bindings cleared.
    public func statement(_ sql: String) throws -> Statement {
        tick &+= 1
        if let cached = cache[sql] {
            cached.statement.reset()
            cached.lastUse = tick
            return cached.statement
        }
        let statement = try Statement(database: handle, sql: sql)
        if options.statementCacheCapacity > 0 {
            if cache.count >= options.statementCacheCapacity,
                let evicted = cache.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                cache[evicted] = nil
            }
            cache[sql] = CachedStatement(statement, lastUse: tick)
        }
        return statement
    }

    /// Runs `body` inside one read transaction, so its statements see one snapshot and take the
    /// WAL read lock once instead of once each. Nested inside a transaction it just runs `body`.
    public func read<T>(_ body: () throws -> T) throws -> T {
        guard isAutocommit else { return try body() }
        try beginRead()
        do {
            let result = try body()
            try statement("COMMIT").step()
            return result
        } catch {
            rollbackIfActive()
            throw error
        }
    }

    /// Begins a read transaction that stays open after this call, for reads spread over several
    /// calls that may share one snapshot; `endRead()` ends it. Inside a transaction, nothing.
    public func beginRead() throws {
        guard isAutocommit else { return }
        viewEpoch &+= 1
        try statement("BEGIN DEFERRED").step()
    }

    /// Ends the transaction `beginRead()` began (a read: committing it writes nothing; should
    /// the commit fail, it is rolled back).
    public func endRead() {
        guard !isAutocommit else { return }
        if (try? statement("COMMIT").step()) == nil { rollbackIfActive() }
    }

    /// Number of statements currently held prepared.
    public var cachedStatementCount: Int { cache.count }

    /// Runs one statement with `arguments` bound in order; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: any SQLiteBindable...) throws -> Int {
        try run(sql, arguments: arguments)
    }

    /// The same with the arguments in an array.
    @discardableResult
    public func run(_ sql: String, arguments: [any SQLiteBindable]) throws -> Int {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while try statement.step() {}
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps each row.
    public func query<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (Row) throws -> T) throws -> [T] {
        try query(sql, arguments: arguments, map: map)
    }

    /// The same with the arguments in an array (a query built from optional filters).
    public func query<T>(_ sql: String, arguments: [any SQLiteBindable], map: (Row) throws -> T) throws -> [T] {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        var results: [T] = []
        while try statement.step() {
            results.append(try map(statement.row))
        }
        return results
    }

    /// Runs a query and maps its first row, or returns nil when there is none.
    public func queryFirst<T>(_ sql: String, _ arguments: any SQLiteBindable..., map: (Row) throws -> T) throws -> T? {
        try queryFirst(sql, arguments: arguments, map: map)
    }

    public func queryFirst<T>(_ sql: String, arguments: [any SQLiteBindable], map: (Row) throws -> T) throws -> T? {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        return try map(statement.row)
    }

    /// The first column of the first row, which must exist.
    public func scalar<T: SQLiteDecodable>(_ sql: String, _ arguments: any SQLiteBindable..., as type: T.Type = T.self)
        throws -> T
    {
        let statement = try statement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        guard try statement.step() else { throw SQLiteUsageError.noRow(sql: sql) }
        return try statement.row.get(0, as: T.self)
    }

    /// Row id of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True outside any transaction.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// What the connection sees, as a value: two equal views mean nothing in the database can
    /// look different between them, because both were taken inside one transaction (one
    /// snapshot, in WAL mode) with nothing written through this connection in between. Nil
    /// outside a transaction (each statement sees its own snapshot). Lets a caller keep a value
    /// it read for as long as the view stands (the sign-in generation, read once per batch).
    /// Counts what goes through this API: a transaction begun with a raw `BEGIN` statement is
    /// not seen, so `read`, `beginRead`, `transaction` and `savepoint` are the ways in.
    public var view: View? {
        isAutocommit ? nil : View(epoch: viewEpoch, changes: sqlite3_total_changes64(handle))
    }

    public struct View: Equatable, Sendable {
        let epoch: UInt64
        /// Rows this connection has inserted, changed or deleted (by triggers too), ever.
        let changes: Int64

        public init(epoch: UInt64, changes: Int64) {
            self.epoch = epoch
            self.changes = changes
        }
    }

    // MARK: Transactions

    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        /// Takes the write lock at BEGIN, so the body never fails half-way on a lock upgrade.
        case immediate = "IMMEDIATE"
        case exclusive = "EXCLUSIVE"
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// A failed COMMIT (a full disk, a busy database) rolls back too and throws. Inside another
    /// transaction it becomes a savepoint, so a store's own transaction composes with a caller's
    /// (a write and its audit row commit together or not at all).
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if !isAutocommit { return try savepoint(body) }
        viewEpoch &+= 1
        try execute("BEGIN \(kind.rawValue)")
        let result: T
        do {
            result = try body()
        } catch {
            rollbackIfActive()
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            rollbackIfActive()
            throw error
        }
        return result
    }

    /// Runs `body` inside a savepoint, which nests inside transactions and other savepoints:
    /// released when it returns, rolled back (only its own changes) when it throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        let name = "portero_sp\(savepointDepth)"
        // Begun outside a transaction it begins one; rolled back it takes back writes: either
        // way what the connection sees moves.
        viewEpoch &+= 1
        defer {
            savepointDepth -= 1
            viewEpoch &+= 1
        }
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            // ROLLBACK TO keeps the savepoint open; RELEASE then removes it.
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
    }

    private func rollbackIfActive() {
        // SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR): then there is nothing to do.
        if !isAutocommit { try? execute("ROLLBACK") }
    }

    // MARK: Pragmas

    /// `PRAGMA application_id`: a 32-bit number identifying which application owns the file.
    public func applicationID() throws -> Int32 { try scalar("PRAGMA application_id", as: Int32.self) }

    public func setApplicationID(_ id: Int32) throws { try execute("PRAGMA application_id = \(id)") }

    /// Names of the user tables in the file.
    public func tableNames() throws -> [String] {
        try query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
            try $0.get(0)
        }
    }

    /// `PRAGMA integrity_check` findings; empty when the file is sound.
    public func integrityProblems() throws -> [String] {
        let rows: [String] = try query("PRAGMA integrity_check") { try $0.get(0) }
        return rows == ["ok"] ? [] : rows
    }

    /// Runs a WAL checkpoint that truncates the log.
    public func checkpoint() throws { try execute("PRAGMA wal_checkpoint(TRUNCATE)") }
}

@available(*, unavailable, message: "Use SerialConnection to share a connection across threads")
extension Connection: Sendable {}
