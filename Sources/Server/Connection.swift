import CLinux
import Foundation
import HTTP
import LinuxSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One open connection. Its mutable state is touched only by whoever holds it: a loop that took
/// an event for it, or the deadline sweep; `owner` says who may.
final class Connection: @unchecked Sendable {
    // @unchecked: every var below is touched only while `owner` is held (see `acquire`).
    let fd: Int32
    /// Unique for the server's life: a descriptor number is reused after close, this is not.
    let id: UInt64
    let address: String
    var decoder: HTTPRequestDecoder
    var state: HTTPConnectionState
    var output: [UInt8] = []
    var written = 0
    /// An answer is coming later (a long poll): bytes that arrive meanwhile wait for it.
    var awaitingDeferred = false
    var closed = false
    /// Input may be waiting that no edge will announce again: a read filled the loop's buffer,
    /// or input came while an answer was still being written (it waits for the answer). The
    /// holder registers the connection again once no answer is pending (see `letGo`).
    var unreadInput = false
    /// 0: nobody holds it (its next edge is taken by whichever loop gets it);
    /// 1: held; 2: held, and an event came meanwhile that the holder must register it again for.
    let owner = Atomic<Int>(0)

    init(fd: Int32, id: UInt64, address: String, decoder: HTTPRequestDecoder, state: HTTPConnectionState) {
        self.fd = fd
        self.id = id
        self.address = address
        self.decoder = decoder
        self.state = state
    }

    /// Takes the connection for an event. False when someone else holds it: the holder is
    /// told an event came (it arms the connection again when it lets go).
    func acquire() -> Bool {
        while true {
            if owner.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged { return true }
            if owner.compareExchange(expected: 1, desired: 2, ordering: .relaxed).exchanged { return false }
            if owner.load(ordering: .relaxed) == 2 { return false }
        }
    }

    /// Takes the connection only if nobody holds it (the sweep passes over busy ones).
    func tryAcquire() -> Bool { owner.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged }

    /// Lets go; true when an event came meanwhile, so the caller must arm it again.
    func release() -> Bool {
        if owner.compareExchange(expected: 1, desired: 0, ordering: .releasing).exchanged { return false }
        owner.store(0, ordering: .releasing)
        return true
    }
}

/// The open connections by descriptor, in shards with a lock each: the loops look one up per
/// event, and two loops rarely want the same shard at once.
final class ConnectionTable: Sendable {
    private final class Shard: Sendable {
        let entries = Mutex<[Int32: Connection]>([:])
    }

    private let shards: [Shard] = (0..<64).map { _ in Shard() }

    private func shard(_ fd: Int32) -> Shard { shards[Int(fd) & 63] }

    func insert(_ connection: Connection) { shard(connection.fd).entries.withLock { $0[connection.fd] = connection } }

    func remove(_ connection: Connection) {
        shard(connection.fd).entries.withLock { if $0[connection.fd] === connection { $0[connection.fd] = nil } }
    }

    func find(_ fd: Int32) -> Connection? { shard(fd).entries.withLock { $0[fd] } }

    func all() -> [Connection] { shards.flatMap { $0.entries.withLock { Array($0.values) } } }

    var isEmpty: Bool { shards.allSatisfy { $0.entries.withLock { $0.isEmpty } } }
}
