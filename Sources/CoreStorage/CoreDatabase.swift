import Crypto
import Foundation
import PorteroModel
import SQLite
import Synchronization

/// One connection to the core's database (SQLite or PostgreSQL) and the stores over it, each
/// seen through its protocol. Not shareable between threads: the pool lends each to one request
/// at a time.
public final class CoreDatabase {
    public let db: any SQLDatabase
    public let accounts: any AccountStore
    public let audit: any AuditStore
    public let auth: Authenticator
    public let devices: any DeviceStore
    public let members: any MemberStore
    public let sales: any SalesStore
    public let operations: any OperationsStore
    public let dashboard: any DashboardStore
    public let sync: any SyncStore
    public let doors: any DoorStore
    public let pos: any PosStore
    public let settings: any SettingsStore
    public let mail: any MailStore
    public let promotions: any PromotionStore
    public let invoices: any InvoiceStore
    public let webhooks: any WebhookStore
    public let support: any SupportStore
    public let oidc: any OIDCStore
    public let occupancy: any OccupancyStore
    public let reports: any ReportStore
    public let photos: any PhotoStore
    public let phones: any PhoneStore

    package init(
        connection: any SQLDatabase, hasher: PasswordHasher, policy: AuthPolicy, throttle: LoginThrottle,
        dummyHash: String
    )
        throws
    {
        db = connection
        let accounts = try SQLAccountStore(connection: connection, hasher: hasher)
        let audit = try SQLAuditStore(connection: connection)
        self.accounts = accounts
        self.audit = audit
        devices = try SQLDeviceStore(connection: connection)
        let members = try SQLMemberStore(connection: connection)
        self.members = members
        sales = try SQLSalesStore(connection: connection, members: members)
        operations = try SQLOperationsStore(connection: connection, members: members)
        dashboard = try SQLDashboardStore(connection: connection)
        sync = try SQLSyncStore(connection: connection)
        doors = try SQLDoorStore(connection: connection)
        let settings = try SQLSettingsStore(connection: connection)
        self.settings = settings
        pos = SQLPosStore(connection: connection, currency: { try settings.chain().currency })
        mail = try SQLMailStore(connection: connection)
        promotions = SQLPromotionStore(connection: connection)
        invoices = SQLInvoiceStore(connection: connection)
        webhooks = SQLWebhookStore(connection: connection)
        support = SQLSupportStore(connection: connection)
        oidc = SQLOIDCStore(connection: connection)
        occupancy = SQLOccupancyStore(connection: connection)
        reports = SQLReportStore(connection: connection)
        photos = SQLPhotoStore(connection: connection)
        phones = SQLPhoneStore(connection: connection)
        auth = Authenticator(
            connection: connection, accounts: accounts, audit: audit, hasher: hasher, policy: policy,
            throttle: throttle, dummyHash: dummyHash)
    }

    /// A write and its audit row in one transaction: both land or neither does.
    public func write<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }
}

/// Connections to the core's database, lent to one request at a time: SQLite in WAL mode lets
/// the readers run side by side, and writers queue on the database's write lock (with the busy
/// timeout). A connection is opened when none is free, so there are about as many as the server
/// has event loops.
package final class CoreDatabasePool: @unchecked Sendable {
    // @unchecked: each shelf's `free` is touched only under its lock; a CoreDatabase taken out
    // of one belongs to the one caller of `with` until it is put back.
    /// A shelf of free connections. Each thread keeps to its own shelf (by its ordinal), so the
    /// event loops, which all borrow a connection for every request, never wait on one lock:
    /// a single shared lock was contended on most requests at 1,000 connections, and each
    /// contention put a loop to sleep in the kernel.
    private final class Shelf {
        let lock = NSLock()
        var free: [CoreDatabase] = []
        /// A connection its thread (by ordinal) keeps in a read transaction until its event
        /// loop's batch ends (see `with(keepingRead:)`); no other thread takes it.
        var held: (database: CoreDatabase, ordinal: Int)?

        func take() -> CoreDatabase? {
            lock.lock()
            defer { lock.unlock() }
            return free.popLast()
        }

        func put(_ database: CoreDatabase) {
            lock.lock()
            free.append(database)
            lock.unlock()
        }

        var idle: Int {
            lock.lock()
            defer { lock.unlock() }
            return free.count
        }

        func takeHeld(by ordinal: Int) -> CoreDatabase? {
            lock.lock()
            defer { lock.unlock() }
            guard let held, held.ordinal == ordinal else { return nil }
            self.held = nil
            return held.database
        }

        /// Keeps `database` for its thread; false when another thread sharing the shelf has one.
        func hold(_ database: CoreDatabase, by ordinal: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard held == nil else { return false }
            held = (database, ordinal)
            return true
        }
    }

    private let shelves: [Shelf] = (0..<32).map { _ in Shelf() }
    private let opener: @Sendable () throws -> CoreDatabase
    /// Connections open: lent, kept for a batch or free.
    private let opened = Atomic<Int>(0)

    package init(open: @escaping @Sendable () throws -> CoreDatabase) throws {
        opener = open
        shelves[0].put(try self.open())  // the first one migrates the schema, before any request
    }

    private func open() throws -> CoreDatabase {
        let database = try opener()
        opened.add(1, ordering: .relaxed)
        return database
    }

    /// Connections lent to requests or kept in a read for an event loop's batch, and free ones
    /// (for the metrics; a moment's counts, not one snapshot).
    package var usage: (inUse: Int, idle: Int) {
        let idle = shelves.reduce(0) { $0 + $1.idle }
        return (max(0, opened.load(ordering: .relaxed) - idle), idle)
    }

    /// Lends a connection to `body`. With `keepingRead`, a read transaction `body` leaves open
    /// is kept, and the thread's next `keepingRead` call gets it back inside the same snapshot,
    /// until `endBatch()`: the reads of one event loop batch then take the WAL read lock once
    /// instead of once each. The server reads every socket of a batch before it serves any of
    /// its requests, and the snapshot is taken after that, so a read still sees every write
    /// its client saw finish before sending it.
    /// Any other call on the thread ends the kept read before it uses the connection.
    package func with<T>(keepingRead: Bool = false, _ body: (CoreDatabase) throws -> T) throws -> T {
        let ordinal = ThreadOrdinal.current
        let home = shelves[ordinal % shelves.count]
        let database: CoreDatabase
        if let held = home.takeHeld(by: ordinal) {
            if !keepingRead { held.db.endRead() }
            database = held
        } else {
            // Its own shelf first; else one another thread left (a nested call, a thread that
            // ended); else a new connection.
            database = try home.take() ?? borrowElsewhere(than: home) ?? open()
        }
        defer {
            if !database.db.isUsable {
                // Gone (the server restarted): dropped; the next request opens a new one.
            } else if database.db.isAutocommit {
                home.put(database)
            } else if keepingRead {
                if !home.hold(database, by: ordinal) {
                    database.db.endRead()
                    home.put(database)
                }
            } else {
                // Left inside a write transaction (it cannot happen through `write`, which always
                // ends one), it would hold the write lock for ever: closed instead of reused.
                opened.subtract(1, ordering: .relaxed)
            }
        }
        return try body(database)
    }

    /// Ends the calling thread's kept read (its event loop finished a batch).
    package func endBatch() {
        let ordinal = ThreadOrdinal.current
        let home = shelves[ordinal % shelves.count]
        guard let held = home.takeHeld(by: ordinal) else { return }
        held.db.endRead()
        home.put(held)
    }

    private func borrowElsewhere(than home: Shelf) -> CoreDatabase? {
        for shelf in shelves where shelf !== home {
            if let database = shelf.take() { return database }
        }
        return nil
    }
}

/// A small number for the calling thread, given on its first call and kept for its life.
package enum ThreadOrdinal {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    private static let next = Atomic<Int>(0)

    package static var current: Int {
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        let ordinal = next.add(1, ordering: .relaxed).oldValue
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: ordinal + 1))
        return ordinal
    }
}
