import CLinux
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server: one listening socket and one epoll set shared by a few event loops
/// (one thread each, non-blocking sockets), one request at a time per connection, keep-alive
/// by default, limits and deadlines from `HTTPRequestDecoder` and `HTTPConnectionState`, and a
/// graceful stop.
///
/// No connection belongs to a loop: each is registered edge-triggered, once, so whichever loop
/// is free takes its next request and holds it until it is answered (see `EventLoop.registration`). A loop the
/// scheduler gives less of the processor, or one busy with a slow handler (a dashboard figure
/// over a million rows), then serves fewer requests instead of making its share of the clients
/// wait: every client sees about the same latency. Who holds a connection is one atomic word
/// on it (the deadline sweep takes it the same way); connections are found by descriptor in a
/// table split into locked shards. Handlers run on the loops' threads, so a router's handlers
/// must be safe to call from several threads at once.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks a free port (tests).
        public var port: UInt16 = 8080
        public var limits = HTTPLimits()
        public var timeouts = HTTPTimeouts()
        public var maximumConnections = 1_024
        public var maximumConnectionsPerAddress = 128
        /// How long a stop waits for requests in flight.
        public var shutdownGraceMilliseconds: Int64 = 5_000
        /// Event loops (threads); by default one per processor.
        public var eventLoops = max(1, ProcessInfo.processInfo.activeProcessorCount)
        /// Read the sockets of a batch, and write their answers, with one io_uring submission each
        /// where the kernel allows it (see `SocketRing`); else, or when false, one `read` and one
        /// `send` each.
        public var ioUring = true
        public init() {}
    }

    public let configuration: Configuration
    public let router: Router
    /// The port actually bound.
    public let port: UInt16
    /// How the loops read requests and write answers (for the log): through io_uring, or one
    /// `read` and one `send` each.
    public let socketIO: String
    let listener: Int32
    /// The epoll set every loop waits on: the listener, the wake-up eventfd and each connection.
    let epoll: Int32
    /// Written to wake a loop: an answer given later is ready, or a stop was asked for.
    let wake: Int32
    let admission = Mutex(Admission())
    let stopping = Atomic<Bool>(false)
    let table = ConnectionTable()
    let loops: [EventLoop]
    /// Deferred answers completed by other threads, waiting for a loop to write them.
    let completed = Mutex<[(fd: Int32, id: UInt64, bytes: [UInt8], keepAlive: Bool)]>([])
    /// When the deadline sweep runs next (one loop runs it), and when a stop's grace ends.
    let nextSweep = Atomic<Int64>(0)
    let shutdownDeadline = Atomic<Int64>(.max)
    let nextConnectionID = Atomic<UInt64>(0)

    /// Connections open, in total and per client address.
    struct Admission {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    public init(configuration: Configuration, router: Router) throws {
        self.configuration = configuration
        self.router = router
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = configuration.port.bigEndian
        guard inet_pton(AF_INET, configuration.host, &address.sin_addr) == 1 else {
            close(fd)
            throw POSIXError(.EINVAL)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 4_096) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wake >= 0,
            portero_epoll_ctl(epoll, EPOLL_CTL_ADD, wake, portero_EPOLLIN) == 0,
            // One-shot: the loop that takes new connections accepts a batch, then arms it again.
            portero_epoll_ctl(epoll, EPOLL_CTL_ADD, listener, portero_EPOLLIN | portero_EPOLLONESHOT) == 0
        else {
            let code = errno
            close(fd)
            if epoll >= 0 { close(epoll) }
            if wake >= 0 { close(wake) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EMFILE)
        }
        var unavailable: SocketRing.Unavailable?
        loops = (0..<max(1, configuration.eventLoops)).map { _ in
            guard configuration.ioUring else { return EventLoop(ring: nil) }
            do throws(SocketRing.Unavailable) {
                return EventLoop(ring: try SocketRing(capacity: EventLoop.answersPerWrite))
            } catch {
                unavailable = error
                return EventLoop(ring: nil)
            }
        }
        socketIO =
            !configuration.ioUring
            ? "one read(2) per request and one send(2) per answer (io_uring turned off)"
            : unavailable.map { "one read(2) per request and one send(2) per answer (\($0))" }
                ?? "io_uring, one system call per batch of requests and one per batch of answers"
    }

    deinit {
        for connection in table.all() { close(connection.fd) }
        close(listener)
        close(epoll)
        close(wake)
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Asks `run()` to stop accepting, finish what is in flight (within the grace) and return.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // Linux takes a listening socket out of LISTEN on shutdown(2): new connections are
        // refused at once, while the descriptor stays valid until deinit closes it.
        shutdown(listener, Int32(SHUT_RDWR))
        wakeUp()
    }

    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Serves until `stop()`: the first loop on the calling thread, the others on threads of
    /// their own; returns when every loop has finished.
    public func run() {
        let finished = DispatchGroup()
        for loop in loops.dropFirst() {
            finished.enter()
            let thread = Thread { [self] in
                loop.run(self)
                finished.leave()
            }
            thread.name = "portero.http"
            thread.start()
        }
        loops[0].run(self)
        finished.wait()
        // Whatever the grace left open: no loop runs any more, so nobody holds these.
        for connection in table.all() {
            table.remove(connection)
            close(connection.fd)
            release(connection.address)
        }
    }

    /// Takes a slot for a new connection from `address`, or says no (too many).
    func admit(_ address: String) -> Bool {
        admission.withLock { state in
            guard state.total < configuration.maximumConnections,
                state.perAddress[address, default: 0] < configuration.maximumConnectionsPerAddress
            else { return false }
            state.total += 1
            state.perAddress[address, default: 0] += 1
            return true
        }
    }

    func release(_ address: String) {
        admission.withLock { state in
            state.total -= 1
            let left = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = left > 0 ? left : nil
        }
    }

    /// Connections open now, over every loop.
    public var openConnections: Int { admission.withLock { $0.total } }

    /// Requests each loop has answered so far (they share the work, so a loop that gets less
    /// of the processor answers fewer).
    public var requestsPerLoop: [Int] { loops.map { $0.served.load(ordering: .relaxed) } }

    /// True on an event loop's thread: handlers called there run within a batch that the
    /// router's `batchEnded` closes (a router called from anywhere else has no batches).
    public static var onEventLoop: Bool { pthread_getspecific(eventLoopKey) != nil }

    /// Runs `body` on this thread as an event loop runs its handlers (for benchmarks that call a
    /// router without sockets): the caller ends each batch with the router's `batchEnded`.
    public static func actingAsEventLoop<T>(_ body: () throws -> T) rethrows -> T {
        pthread_setspecific(eventLoopKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(eventLoopKey, nil) }
        return try body()
    }

    static let eventLoopKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}

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

/// One loop's thread and its scratch: the connections it holds in the current batch, what it
/// read and what it answered. The connections themselves are the server's.
final class EventLoop: @unchecked Sendable {
    // @unchecked: everything but `served` belongs to the thread in `run`.
    /// Requests this loop has answered.
    let served = Atomic<Int>(0)
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    /// Reads a batch's requests in one system call, and writes their answers in another; nil
    /// where io_uring cannot be had.
    private(set) var ring: SocketRing?
    /// Connections this loop took in the current batch: let go at its end.
    private var held: [Connection] = []
    /// Connections with input announced in this batch, read together once the batch is taken.
    private var readable: [Connection] = []
    /// Connections that received bytes in this batch, served once all of it is read.
    private var received: [Connection] = []
    /// Connections that can take more of a pending answer, written once all of the batch is read.
    private var writable: [Connection] = []
    /// Connections with an answer ready, written together (see `flushAnswered`).
    private var answered: [Connection] = []
    /// Answers written together at most: enough that a client's thread is woken once for many,
    /// few enough that the first of a batch does not wait for the whole batch.
    static let answersPerWrite = 32
    /// Events taken per wait: few, so that while one loop serves its batch the next ready
    /// connections go to another loop instead of queueing behind it.
    static let batchSize: Int32 = 32
    /// Deadlines are checked by sweeping every connection at this interval, not per event.
    static let sweepMilliseconds: Int64 = 50

    init(ring: SocketRing?) { self.ring = ring }

    /// The most output buffer a connection keeps between answers.
    static let keptOutputCapacity = 16_384

    func run(_ server: HTTPServer) {
        pthread_setspecific(HTTPServer.eventLoopKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(HTTPServer.eventLoopKey, nil) }
        var readyFDs = [Int32](repeating: 0, count: Int(Self.batchSize))
        var readyEvents = [UInt32](repeating: 0, count: Int(Self.batchSize))
        while true {
            let now = HTTPServer.now()
            if server.stopping.load(ordering: .sequentiallyConsistent) {
                beginShutdown(server, now: now)
                // What is left at the deadline, `HTTPServer.run` closes once every loop is out.
                if server.table.isEmpty || now >= server.shutdownDeadline.load(ordering: .relaxed) { return }
            }
            let timeout = Int32(
                clamping: max(0, min(server.nextSweep.load(ordering: .relaxed) - now, Self.sweepMilliseconds)))
            let count = portero_epoll_wait(server.epoll, &readyFDs, &readyEvents, Self.batchSize, timeout)
            let after = HTTPServer.now()
            var completions = false
            for index in 0..<max(0, Int(count)) {
                let fd = readyFDs[index]
                if fd == server.wake {
                    var counter: UInt64 = 0
                    _ = read(server.wake, &counter, 8)
                    completions = true
                } else if fd == server.listener {
                    accept(server, now: after)
                } else if let connection = server.table.find(fd), connection.acquire() {
                    held.append(connection)
                    let events = readyEvents[index]
                    if connection.written < connection.output.count {
                        // An answer is being written: go on if the socket can take more (an error
                        // shows there); input waits until the answer is out.
                        if events & (portero_EPOLLOUT | portero_EPOLLERR | portero_EPOLLHUP) != 0 {
                            writable.append(connection)
                        }
                        if events & portero_EPOLLIN != 0 { connection.unreadInput = true }
                    } else if events & (portero_EPOLLIN | portero_EPOLLERR | portero_EPOLLHUP) != 0 {
                        readable.append(connection)
                    }
                }
            }
            receiveAll(server, now: after)
            // Every socket of the batch is read before any handler runs (writing an answer may
            // let a pipelined request through, so writes wait too), so what a handler keeps for
            // the batch (the core's read transaction) begins after the last byte of the batch
            // arrived: a request never reads a snapshot older than a write its client saw
            // finish before sending it.
            if completions { deliverCompleted(server, now: after) }
            for connection in writable where !connection.closed { flush(connection, server, now: after) }
            writable.removeAll(keepingCapacity: true)
            for connection in received where !connection.closed { serveNext(connection, server, now: after) }
            received.removeAll(keepingCapacity: true)
            flushAnswered(server, now: after)
            // After the answers (and any pipelined request they let through): nothing a handler
            // kept for the batch outlives it into the next wait.
            if count > 0 { server.router.batchEnded?() }
            letGo(server)
            sweepIfDue(server, now: after)
        }
    }

    /// Stop accepting and close idle connections, once (whichever loop sees the stop first).
    private func beginShutdown(_ server: HTTPServer, now: Int64) {
        guard
            server.shutdownDeadline.compareExchange(
                expected: .max, desired: now + server.configuration.shutdownGraceMilliseconds,
                ordering: .sequentiallyConsistent
            ).exchanged
        else { return }
        _ = portero_epoll_ctl(server.epoll, EPOLL_CTL_DEL, server.listener, 0)
        for connection in server.table.all() { shutDownOrLeave(connection, server) }
        server.wakeUp()  // the other loops look at the stop at once, not at their next timeout
    }

    private func accept(_ server: HTTPServer, now: Int64) {
        defer {
            if server.shutdownDeadline.load(ordering: .relaxed) == .max {
                _ = portero_epoll_ctl(
                    server.epoll, EPOLL_CTL_MOD, server.listener, portero_EPOLLIN | portero_EPOLLONESHOT)
            }
        }
        // A bounded batch, then the listener is armed again for whichever loop is free.
        for _ in 0..<64 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    portero_accept_peer(server.listener, $0, &length)
                }
            }
            guard fd >= 0 else { return }
            var text = [CChar](repeating: 0, count: 64)
            inet_ntop(AF_INET, &address.sin_addr, &text, 64)
            let peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard server.admit(peer) else {
                // Refused politely and at once: the client learns why and the slot is not held.
                let refusal = HTTPResponse.error(503, "too many connections").serialized(keepAlive: false)
                _ = refusal.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let router = server.router
            let connection = Connection(
                fd: fd, id: server.nextConnectionID.add(1, ordering: .relaxed).newValue, address: peer,
                decoder: HTTPRequestDecoder(
                    limits: server.configuration.limits, bodyLimit: { router.bodyLimit(method: $0, path: $1) }),
                state: HTTPConnectionState(timeouts: server.configuration.timeouts, now: now))
            server.table.insert(connection)
            guard portero_epoll_ctl(server.epoll, EPOLL_CTL_ADD, fd, Self.registration) == 0 else {
                server.table.remove(connection)
                close(fd)
                server.release(peer)
                continue
            }
            // A stop that began while this connection was being accepted may have looked at the
            // table before it was in it: closed here, then (whoever takes it first closes it).
            if server.shutdownDeadline.load(ordering: .sequentiallyConsistent) != .max {
                shutDownOrLeave(connection, server)
            }
        }
    }

    /// Writes the deferred answers that arrived, to connections still open.
    private func deliverCompleted(_ server: HTTPServer, now: Int64) {
        let ready = server.completed.withLock { list -> [(fd: Int32, id: UInt64, bytes: [UInt8], keepAlive: Bool)] in
            defer { list.removeAll() }
            return list
        }
        for answer in ready {
            guard let connection = server.table.find(answer.fd), connection.id == answer.id else { continue }  // the client left meanwhile
            // Waiting for its answer, its input is read as it comes: this loop may hold it already
            // (bytes came in this batch); if another loop or the sweep holds it (a moment at
            // most), the answer goes back in the queue for the next wake-up, never waited for
            // here, where two loops could wait on each other.
            if !held.contains(where: { $0 === connection }) {
                guard connection.tryAcquire() else {
                    server.completed.withLock { $0.append(answer) }
                    server.wakeUp()
                    continue
                }
                held.append(connection)
            }
            guard !connection.closed else { continue }
            connection.awaitingDeferred = false
            // A stop that began meanwhile closes the connection once this answer is written.
            connection.state.responseQueued(
                at: now,
                keepAlive: answer.keepAlive && !connection.state.draining
                    && !server.stopping.load(ordering: .sequentiallyConsistent))
            connection.output = answer.bytes
            connection.written = 0
            flush(connection, server, now: now)
        }
    }

    /// Reads what arrived on the batch's readable connections: through the ring in one call
    /// when there are several, else one `read` each. Those that brought bytes go to `received`.
    private func receiveAll(_ server: HTTPServer, now: Int64) {
        defer { readable.removeAll(keepingCapacity: true) }
        if let ring, !ring.broken, readable.count > 1 {
            ring.receive(readable.map(\.fd)) { index, outcome, bytes in
                switch outcome {
                case .done:
                    take(readable[index], bytes, filled: bytes.count == SocketRing.receiveSlot, server, now: now)
                case .failed(EAGAIN), .failed(EINTR): break  // nothing after all (the next bytes bring a new edge)
                case .failed, .unknown: drop(readable[index], server)
                }
            }
            if ring.broken { reportBrokenRing() }
            return
        }
        for connection in readable {
            let count = buffer.withUnsafeMutableBytes { read(connection.fd, $0.baseAddress, $0.count) }
            if count >= 0 {
                buffer.withUnsafeBytes {
                    take(
                        connection, UnsafeRawBufferPointer(rebasing: $0[0..<count]), filled: count == $0.count, server,
                        now: now)
                }
            } else if errno != EAGAIN && errno != EINTR {
                drop(connection, server)
            }
        }
    }

    /// Hands bytes read to the connection's decoder (none: the client closed). A read that
    /// filled its buffer may have left some (an edge announces only bytes that come after it);
    /// a shorter one took everything there was.
    private func take(
        _ connection: Connection, _ bytes: UnsafeRawBufferPointer, filled: Bool, _ server: HTTPServer, now: Int64
    ) {
        guard !bytes.isEmpty else {
            drop(connection, server)
            return
        }
        if filled { connection.unreadInput = true }
        connection.decoder.append(bytes)
        connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
        received.append(connection)
    }

    private func reportBrokenRing() {
        FileHandle.standardError.write(
            Data(
                "portero: io_uring failed (\(String(cString: strerror(errno)))); requests and answers go one read(2) and send(2) each from now on\n"
                    .utf8))
    }

    /// Answers the next complete request, if no response is being written.
    private func serveNext(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        guard connection.written >= connection.output.count, !connection.awaitingDeferred else { return }
        do {
            guard let request = try connection.decoder.next() else { return }
            connection.state.requestDecoded()
            let response = server.router.respond(to: request)
            served.add(1, ordering: .relaxed)
            let headOnly = request.method == "HEAD"
            if let deferred = response.deferred {
                // Answered later: a loop is told through the eventfd and writes it then.
                connection.awaitingDeferred = true
                let (fd, id, keepAlive) = (connection.fd, connection.id, request.keepAlive)
                deferred.whenComplete { [weak server] answer in
                    guard let server else { return }
                    server.completed.withLock {
                        $0.append((fd, id, answer.serialized(keepAlive: keepAlive, headOnly: headOnly), keepAlive))
                    }
                    server.wakeUp()
                }
                return
            }
            // Once a stop was asked for, every answer says close (whichever loop sees it first).
            let keepAlive =
                request.keepAlive && !connection.state.draining
                && !server.stopping.load(ordering: .sequentiallyConsistent)
            connection.state.responseQueued(at: now, keepAlive: keepAlive)
            // Into the connection's own buffer (its last answer is all written, see the guard).
            connection.output.removeAll(keepingCapacity: true)
            response.serialize(into: &connection.output, keepAlive: keepAlive, headOnly: headOnly)
            connection.written = 0
            answered.append(connection)
            if answered.count >= Self.answersPerWrite { flushAnswered(server, now: now) }
            return
        } catch {
            connection.state.responseQueued(at: now, keepAlive: false)
            connection.output = HTTPResponse.error(error.status, "bad request: \(error.rule)").serialized(
                keepAlive: false)
            connection.written = 0
        }
        flush(connection, server, now: now)
    }

    /// Writes the answers made so far together: the client's thread is woken once for the
    /// lot instead of once per answer with handler work in between.
    private func flushAnswered(_ server: HTTPServer, now: Int64) {
        while !answered.isEmpty {
            let batch = answered.filter { !$0.closed }
            answered.removeAll(keepingCapacity: true)
            if let ring, !ring.broken, batch.count > 1 {
                // One system call for the small answers; the rest of a partly taken one, and the
                // large ones, through `send` as usual.
                let small = batch.filter { $0.output.count - $0.written <= SocketRing.largestCopied }
                let outcomes = ring.send(small.map { ($0.fd, $0.output[$0.written...]) })
                for (connection, outcome) in zip(small, outcomes) {
                    switch outcome {
                    case let .done(count): connection.written += count
                    case .failed(EAGAIN), .failed(EINTR): continue  // `flush` below tries again or waits for the space
                    case .failed, .unknown:
                        drop(connection, server)
                        continue
                    }
                }
                if ring.broken { reportBrokenRing() }
            }
            for connection in batch where !connection.closed { flush(connection, server, now: now) }
        }
    }

    private func flush(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        while connection.written < connection.output.count {
            let sent = connection.output[connection.written...].withUnsafeBytes {
                send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { return }  // the kernel announces the space freed (an edge)
                drop(connection, server)
                return
            }
            connection.written += sent
        }
        // The buffer is kept for the next answer, unless a large answer grew it: a thousand
        // idle connections must not each hold on to a megabyte.
        if connection.output.capacity > Self.keptOutputCapacity {
            connection.output = []
        } else {
            connection.output.removeAll(keepingCapacity: true)
        }
        connection.written = 0
        if connection.state.responseWritten(at: now) {
            drop(connection, server)
        } else if connection.decoder.bufferedCount > 0 {
            // A pipelined request may already be waiting (read in this batch or before).
            connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
            serveNext(connection, server, now: now)
        }
    }

    /// How every connection is registered, once, when accepted: input and output,
    /// edge-triggered. A loop is told when bytes arrive or the socket can take more after it
    /// could not; nothing is armed again per request (one `epoll_ctl` fewer each). Whoever
    /// holds a connection therefore consumes what an edge announced: a read shorter than the
    /// buffer took all input, an answer is written until done or `EAGAIN` (which makes the
    /// kernel announce the space freed). What it could not consume (`unreadInput`), or an
    /// edge that came to another loop while it held the connection, it hands back to the
    /// epoll set by registering the connection again, which reports it at once if still there.
    static let registration = portero_EPOLLIN | portero_EPOLLOUT | portero_EPOLLET

    /// Lets go of the batch's connections.
    private func letGo(_ server: HTTPServer) {
        for connection in held where !connection.closed { letGo(connection, server) }
        held.removeAll(keepingCapacity: true)
    }

    private func letGo(_ connection: Connection, _ server: HTTPServer) {
        if server.stopping.load(ordering: .relaxed), connection.state.beginShutdown() {
            drop(connection, server)
            return
        }
        // Input left unread, once no answer is pending (until then the answer's edge comes).
        if connection.unreadInput, connection.written >= connection.output.count {
            connection.unreadInput = false
            _ = portero_epoll_ctl(server.epoll, EPOLL_CTL_MOD, connection.fd, Self.registration)
        }
        // An edge that came while it was held went to a loop that could not take it.
        if connection.release() { _ = portero_epoll_ctl(server.epoll, EPOLL_CTL_MOD, connection.fd, Self.registration) }
    }

    /// Lets go of a connection taken without an event (the sweep, a stop): nothing of it was
    /// consumed, unless an edge came meanwhile and found it held.
    private func releaseUntouched(_ connection: Connection, _ server: HTTPServer) {
        if connection.release() { _ = portero_epoll_ctl(server.epoll, EPOLL_CTL_MOD, connection.fd, Self.registration) }
    }

    /// Once a stop began: closes the connection if nothing is in flight on it. One another loop
    /// holds is taken as an event that came while it was held (`acquire`), so its holder hands
    /// it back to the epoll set when it lets go and whoever takes it next sees the stop. (Passing
    /// over it instead could lose it: its holder may have looked for a stop just before it began.)
    private func shutDownOrLeave(_ connection: Connection, _ server: HTTPServer) {
        guard connection.acquire() else { return }
        if connection.state.beginShutdown() { drop(connection, server) } else { releaseUntouched(connection, server) }
    }

    /// Every `sweepMilliseconds`, one loop closes the connections past a deadline (those no
    /// loop holds; a held one is looked at next time).
    private func sweepIfDue(_ server: HTTPServer, now: Int64) {
        let due = server.nextSweep.load(ordering: .relaxed)
        guard now >= due,
            server.nextSweep.compareExchange(expected: due, desired: now + Self.sweepMilliseconds, ordering: .relaxed)
                .exchanged
        else { return }
        for connection in server.table.all() where connection.tryAcquire() {
            if connection.state.tick(now) != nil {
                drop(connection, server)
            } else {
                releaseUntouched(connection, server)
            }
        }
    }

    /// Closes a connection its holder is done with.
    private func drop(_ connection: Connection, _ server: HTTPServer) {
        guard !connection.closed else { return }
        connection.closed = true
        // Out of the table before the descriptor is closed: its number may be reused at once.
        server.table.remove(connection)
        close(connection.fd)  // also takes it out of the epoll set
        server.release(connection.address)
    }
}
