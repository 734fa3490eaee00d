import CLinux
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server: one listening socket shared by a few event loops (one thread each,
/// epoll, non-blocking sockets), one request at a time per connection, keep-alive by default,
/// limits and deadlines from `HTTPRequestDecoder` and `HTTPConnectionState`, and a graceful stop.
///
/// A connection lives on one loop for its whole life, so its state is never shared: the loop
/// that accepts it keeps it, or hands it at once to the loop with the fewest connections, so a
/// burst of connections (1,000 clients arriving together) is spread evenly and no loop's clients
/// wait twice as long as the other's. Besides that hand-off the loops share only the admission
/// count (total and per address), their connection counts and the stop flag. Handlers run on the loop's thread, so a router's handlers must be safe to call
/// from several threads at once.
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
        public init() {}
    }

    public let configuration: Configuration
    public let router: Router
    /// The port actually bound.
    public let port: UInt16
    let listener: Int32
    let admission = Mutex(Admission())
    let stopping = Atomic<Bool>(false)
    let loops: [EventLoop]

    /// Connections open, in total and per client address.
    struct Admission {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    public init(configuration: Configuration, router: Router) throws {
        self.configuration = configuration
        self.router = router
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
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
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 4_096) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        var loops: [EventLoop] = []
        do {
            for _ in 0..<max(1, configuration.eventLoops) { loops.append(try EventLoop(listener: fd)) }
        } catch {
            close(fd)
            throw error
        }
        self.loops = loops
    }

    deinit { close(listener) }

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
        for loop in loops { loop.wakeUp() }
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
    }

    /// Takes a slot for a new connection from `address`, or says no (too many).
    func admit(_ address: String) -> Bool {
        admission.withLock { state in
            guard state.total < configuration.maximumConnections,
                  state.perAddress[address, default: 0] < configuration.maximumConnectionsPerAddress else { return false }
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

    /// True on an event loop's thread: handlers called there run within a batch that the
    /// router's `batchEnded` closes (a router called from anywhere else has no batches).
    public static var onEventLoop: Bool { pthread_getspecific(eventLoopKey) != nil }

    static let eventLoopKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Connections each loop serves now (they are spread evenly).
    public var connectionsPerLoop: [Int] { loops.map { $0.load.load(ordering: .relaxed) } }
}

/// One epoll loop and the connections it accepted. Touched only by its own thread, except
/// `wakeUp()`, which writes to an eventfd.
final class EventLoop: @unchecked Sendable {
    // @unchecked: `connections`, `buffer` and the loop's locals belong to the thread in `run`;
    // other threads only call `wakeUp()` (a write(2) on `wake`).
    final class Connection {
        let fd: Int32
        /// Unique within the loop: a descriptor number is reused after close, this is not.
        let id: UInt64
        let address: String
        var decoder: HTTPRequestDecoder
        var state: HTTPConnectionState
        var output: [UInt8] = []
        var written = 0
        var watchingOutput = false

        init(fd: Int32, id: UInt64, address: String, limits: HTTPLimits, bodyLimit: @escaping @Sendable (String, String) -> Int, timeouts: HTTPTimeouts, now: Int64) {
            self.fd = fd
            self.id = id
            self.address = address
            self.decoder = HTTPRequestDecoder(limits: limits, bodyLimit: bodyLimit)
            self.state = HTTPConnectionState(timeouts: timeouts, now: now)
        }
    }

    let epoll: Int32
    let wake: Int32
    let listener: Int32
    /// Connections this loop serves or has been handed (read by the other loops to balance).
    let load = Atomic<Int>(0)
    /// Connections another loop accepted and handed to this one, waiting to be registered.
    private let arrivals = Mutex<[(fd: Int32, peer: String)]>([])
    private var connections: [Int32: Connection] = [:]
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private var nextConnectionID: UInt64 = 0
    /// Deferred answers completed by other threads, waiting for this loop to write them.
    private let completed = Mutex<[(fd: Int32, id: UInt64, bytes: [UInt8], keepAlive: Bool)]>([])
    /// Connections that received bytes in this batch, served once all of it is read.
    private var received: [Connection] = []
    /// Connections with an answer ready, written together once the whole batch of events is
    /// served (see `run`).
    private var answered: [Connection] = []
    /// Answers written together at most: enough that a client's thread is woken once for many,
    /// few enough that the first of a long batch does not wait for the whole batch.
    static let answersPerWrite = 64
    /// Deadlines are checked by sweeping every connection at this interval, not per event.
    static let sweepMilliseconds: Int64 = 50

    init(listener: Int32) throws {
        self.listener = listener
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard epoll >= 0, wake >= 0,
              portero_epoll_ctl(epoll, EPOLL_CTL_ADD, wake, portero_EPOLLIN) == 0,
              // Exclusive: a new connection wakes one loop, not all of them.
              portero_epoll_ctl(epoll, EPOLL_CTL_ADD, listener, portero_EPOLLIN | portero_EPOLLEXCLUSIVE) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE)
        }
    }

    deinit {
        close(epoll)
        close(wake)
        for connection in connections.values { close(connection.fd) }
    }

    func wakeUp() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    func run(_ server: HTTPServer) {
        pthread_setspecific(HTTPServer.eventLoopKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(HTTPServer.eventLoopKey, nil) }
        var shutdownDeadline: Int64?
        var nextSweep = HTTPServer.now() + Self.sweepMilliseconds
        var readyFDs = [Int32](repeating: 0, count: 512)
        var readyEvents = [UInt32](repeating: 0, count: 512)
        /// Stop accepting and close idle connections, once, as soon as a stop was asked for.
        func beginShutdownIfRequested(_ now: Int64) {
            guard shutdownDeadline == nil, server.stopping.load(ordering: .sequentiallyConsistent) else { return }
            shutdownDeadline = now + server.configuration.shutdownGraceMilliseconds
            _ = portero_epoll_ctl(epoll, EPOLL_CTL_DEL, listener, 0)
            for connection in Array(connections.values) where connection.state.beginShutdown() { drop(connection, server) }
        }
        while true {
            let now = HTTPServer.now()
            beginShutdownIfRequested(now)
            if let deadline = shutdownDeadline, (connections.isEmpty && load.load(ordering: .relaxed) == 0) || now >= deadline {
                for connection in Array(connections.values) { drop(connection, server) }
                registerArrivals(server, now: now, closing: true)
                return
            }
            let timeout = Int32(max(0, min(nextSweep, shutdownDeadline ?? .max) - now))
            let count = portero_epoll_wait(epoll, &readyFDs, &readyEvents, 512, timeout)
            let after = HTTPServer.now()
            for index in 0..<max(0, Int(count)) {
                let fd = readyFDs[index]
                let events = readyEvents[index]
                if fd == wake {
                    var counter: UInt64 = 0
                    _ = read(wake, &counter, 8)
                    registerArrivals(server, now: after, closing: shutdownDeadline != nil)
                    deliverCompleted(server, now: after)
                    // Before serving what arrived with the stop, so those answers already say close.
                    beginShutdownIfRequested(after)
                } else if fd == listener {
                    if shutdownDeadline == nil { accept(server, now: after) }
                } else if let connection = connections[fd] {
                    if events & portero_EPOLLOUT != 0 { flush(connection, server, now: after) }
                    else if receive(connection, server, now: after) { received.append(connection) }
                }
            }
            // Every socket of the batch is read before any of its requests is served, so what a
            // handler keeps for the batch (the core's read transaction) begins after the last
            // byte of the batch arrived: a request never reads a snapshot older than a write
            // its client saw finish before sending it.
            for connection in received where connections[connection.fd] === connection { serveNext(connection, server, now: after) }
            received.removeAll(keepingCapacity: true)
            flushAnswered(server, now: after)
            // After the answers (and any pipelined request they let through): nothing a handler
            // kept for the batch outlives it into the next wait.
            if count > 0 { server.router.batchEnded?() }
            if after >= nextSweep {
                for connection in Array(connections.values) where connection.state.tick(after) != nil { drop(connection, server) }
                nextSweep = after + Self.sweepMilliseconds
            }
        }
    }

    private func accept(_ server: HTTPServer, now: Int64) {
        // A bounded batch, so one loop does not take every connection of a burst.
        for _ in 0..<64 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { portero_accept_peer(listener, $0, &length) }
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
            // To the loop with the fewest connections (this one when it is among them).
            let mine = load.load(ordering: .relaxed)
            if let target = server.loops.min(by: { $0.load.load(ordering: .relaxed) < $1.load.load(ordering: .relaxed) }),
               target !== self, target.load.load(ordering: .relaxed) < mine {
                target.load.add(1, ordering: .relaxed)
                target.arrivals.withLock { $0.append((fd, peer)) }
                target.wakeUp()
                continue
            }
            load.add(1, ordering: .relaxed)
            register(fd, peer: peer, server, now: now)
        }
    }

    /// Starts serving a connection on this loop (its `load` already counts it).
    private func register(_ fd: Int32, peer: String, _ server: HTTPServer, now: Int64) {
        let router = server.router
        nextConnectionID += 1
        let connection = Connection(fd: fd, id: nextConnectionID, address: peer, limits: server.configuration.limits,
                                    bodyLimit: { router.bodyLimit(method: $0, path: $1) }, timeouts: server.configuration.timeouts, now: now)
        guard portero_epoll_ctl(epoll, EPOLL_CTL_ADD, fd, portero_EPOLLIN) == 0 else {
            close(fd)
            server.release(peer)
            load.subtract(1, ordering: .relaxed)
            return
        }
        connections[fd] = connection
    }

    /// Registers the connections other loops handed over (or, while stopping, closes them).
    private func registerArrivals(_ server: HTTPServer, now: Int64, closing: Bool) {
        let handed = arrivals.withLock { list -> [(fd: Int32, peer: String)] in
            defer { list.removeAll() }
            return list
        }
        for (fd, peer) in handed {
            if closing {
                close(fd)
                server.release(peer)
                load.subtract(1, ordering: .relaxed)
            } else {
                register(fd, peer: peer, server, now: now)
            }
        }
    }

    /// Writes the deferred answers that arrived, to connections still open.
    private func deliverCompleted(_ server: HTTPServer, now: Int64) {
        let ready = completed.withLock { list -> [(fd: Int32, id: UInt64, bytes: [UInt8], keepAlive: Bool)] in
            defer { list.removeAll() }
            return list
        }
        for answer in ready {
            guard let connection = connections[answer.fd], connection.id == answer.id else { continue }  // the client left meanwhile
            // A stop that began meanwhile closes the connection once this answer is written.
            connection.state.responseQueued(at: now, keepAlive: answer.keepAlive && !connection.state.draining)
            connection.output = answer.bytes
            connection.written = 0
            flush(connection, server, now: now)
        }
    }

    /// Reads what arrived; true when there is something new to serve.
    private func receive(_ connection: Connection, _ server: HTTPServer, now: Int64) -> Bool {
        let count = read(connection.fd, &buffer, buffer.count)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            drop(connection, server)
            return false
        }
        guard count > 0 else { return false }
        connection.decoder.append(buffer[0..<count])
        connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
        return true
    }

    /// Answers the next complete request, if no response is being written.
    private func serveNext(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        guard connection.written >= connection.output.count else { return }
        do {
            guard let request = try connection.decoder.next() else { return }
            connection.state.requestDecoded()
            let response = server.router.respond(to: request)
            let headOnly = request.method == "HEAD"
            if let deferred = response.deferred {
                // Answered later: the loop is told through its eventfd and writes it then.
                let (fd, id, keepAlive) = (connection.fd, connection.id, request.keepAlive)
                deferred.whenComplete { [weak self] answer in
                    guard let self else { return }
                    self.completed.withLock { $0.append((fd, id, answer.serialized(keepAlive: keepAlive, headOnly: headOnly), keepAlive)) }
                    self.wakeUp()
                }
                return
            }
            let keepAlive = request.keepAlive && !connection.state.draining
            connection.state.responseQueued(at: now, keepAlive: keepAlive)
            connection.output = response.serialized(keepAlive: keepAlive, headOnly: headOnly)
            connection.written = 0
            answered.append(connection)
            if answered.count >= Self.answersPerWrite { flushAnswered(server, now: now) }
            return
        } catch {
            connection.state.responseQueued(at: now, keepAlive: false)
            connection.output = HTTPResponse.error(error.status, "bad request: \(error.rule)").serialized(keepAlive: false)
            connection.written = 0
        }
        flush(connection, server, now: now)
    }

    /// Writes the answers of one batch of events together: the peer's thread is woken once for
    /// the lot instead of once per answer with handler work between them.
    private func flushAnswered(_ server: HTTPServer, now: Int64) {
        while !answered.isEmpty {
            let batch = answered
            answered.removeAll(keepingCapacity: true)
            for connection in batch where connections[connection.fd] === connection { flush(connection, server, now: now) }
        }
    }

    private func flush(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        while connection.written < connection.output.count {
            let sent = connection.output[connection.written...].withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR {
                    watchOutput(connection, true)
                    return
                }
                drop(connection, server)
                return
            }
            connection.written += sent
        }
        watchOutput(connection, false)
        connection.output.removeAll(keepingCapacity: true)
        connection.written = 0
        if connection.state.responseWritten(at: now) {
            drop(connection, server)
        } else if connection.decoder.bufferedCount > 0 {
            // A pipelined request may already be waiting.
            connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
            serveNext(connection, server, now: now)
        }
    }

    /// Level-triggered: a connection with output pending waits for writability, not for input.
    private func watchOutput(_ connection: Connection, _ on: Bool) {
        guard connection.watchingOutput != on else { return }
        connection.watchingOutput = on
        _ = portero_epoll_ctl(epoll, EPOLL_CTL_MOD, connection.fd, on ? portero_EPOLLOUT : portero_EPOLLIN)
    }

    private func drop(_ connection: Connection, _ server: HTTPServer) {
        guard connections.removeValue(forKey: connection.fd) != nil else { return }
        // close(2) also removes the descriptor from the epoll set.
        close(connection.fd)
        server.release(connection.address)
        load.subtract(1, ordering: .relaxed)
    }
}
