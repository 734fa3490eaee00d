import Crypto
import Foundation
import PorteroModel
import SQLite

/// One SQLite connection to the core's database and the stores over it. Not shareable between
/// threads: the pool lends each to one request at a time.
public final class CoreDatabase {
    public let db: Connection
    public let accounts: SQLiteAccountStore
    public let audit: SQLiteAuditStore
    public let auth: Authenticator
    public let devices: SQLiteDeviceStore
    public let members: SQLiteMemberStore
    public let sales: SQLiteSalesStore
    public let operations: SQLiteOperationsStore
    public let dashboard: SQLiteDashboardStore
    public let sync: SQLiteSyncStore

    init(connection: Connection, hasher: PasswordHasher, policy: AuthPolicy, throttle: LoginThrottle, dummyHash: String) throws {
        db = connection
        accounts = try SQLiteAccountStore(connection: connection, hasher: hasher)
        audit = try SQLiteAuditStore(connection: connection)
        devices = try SQLiteDeviceStore(connection: connection)
        members = try SQLiteMemberStore(connection: connection)
        sales = try SQLiteSalesStore(connection: connection, members: members)
        operations = try SQLiteOperationsStore(connection: connection, members: members)
        dashboard = try SQLiteDashboardStore(connection: connection)
        sync = try SQLiteSyncStore(connection: connection)
        auth = Authenticator(connection: connection, accounts: accounts, audit: audit, hasher: hasher, policy: policy, throttle: throttle, dummyHash: dummyHash)
    }

    /// A write and its audit row in one transaction: both land or neither does.
    public func write<T>(_ body: () throws -> T) throws -> T { try db.transaction(.immediate, body) }
}

/// Connections to the core's database, lent to one request at a time: SQLite in WAL mode lets
/// the readers run side by side, and writers queue on the database's write lock (with the busy
/// timeout). A connection is opened when none is free, so there are about as many as the server
/// has event loops.
final class CoreDatabasePool: @unchecked Sendable {
    // @unchecked: `free` is touched only under `lock`; a CoreDatabase taken out of it belongs to
    // the one caller of `with` until it is put back.
    private let lock = NSLock()
    private var free: [CoreDatabase] = []
    private let open: @Sendable () throws -> CoreDatabase

    init(open: @escaping @Sendable () throws -> CoreDatabase) throws {
        self.open = open
        free.append(try open())  // the first one migrates the schema, before any request
    }

    func with<T>(_ body: (CoreDatabase) throws -> T) throws -> T {
        lock.lock()
        let lent = free.popLast()
        lock.unlock()
        let database = try lent ?? open()
        defer {
            // A connection left inside a transaction (it cannot happen through `write`, which
            // always ends one) would hold the write lock for ever: close it instead of reusing it.
            if database.db.isAutocommit {
                lock.lock()
                free.append(database)
                lock.unlock()
            }
        }
        return try body(database)
    }
}
