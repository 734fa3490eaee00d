import PorteroModel
import SQLite

/// Row counts and size, for status endpoints and `porterod --check-replica`.
extension ReplicaStore {
    /// Row counts and file size, for status endpoints and `porterod --check-replica`.
    public struct Statistics: Sendable, Equatable {
        public var users: Int
        public var credentials: Int
        public var plans: Int
        public var subscriptions: Int
        public var attendance: Int
        public var outbox: Int
        /// Cards in the chain's card index (every branch's active cards).
        public var chainCards: Int
        public var schemaVersion: Int
        public var syncCursor: Int64
    }

    public func statistics() throws -> Statistics {
        func count(_ table: String) throws -> Int { try db.scalar("SELECT count(*) FROM \(table)", as: Int.self) }
        let version = try db.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations", as: Int.self)
        return Statistics(
            users: try count("users"), credentials: try count("cards") + count("pins"), plans: plans.count,
            subscriptions: try count("subscriptions"), attendance: try count("attendance"), outbox: try count("outbox"),
            chainCards: try count("chain_cards"), schemaVersion: version, syncCursor: try syncCursor())
    }
}
