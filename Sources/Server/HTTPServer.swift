import CLinux
import Foundation
import HTTP
import LinuxSystem
import Service
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
    /// Signalled to wake a loop: an answer given later is ready, or a stop was asked for.
    let wake: EventCounter
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
    /// When a loop last woke (monotonic milliseconds).
    let lastTurn = Atomic<Int64>(HTTPServer.now())
    let log: Log

    /// Connections open, in total and per client address.
    struct Admission {
        var total = 0
        var perAddress: [String: Int] = [:]
    }

    public init(configuration: Configuration, router: Router, log: Log = Log()) throws {
        self.configuration = configuration
        self.router = router
        self.log = log
        let where_ = "\(configuration.host):\(configuration.port)"
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try system("socket", where_) { socket(AF_INET, type, 0) }
        var descriptors = [fd]
        // Every descriptor opened so far is closed when a later step fails.
        var complete = false
        defer { if !complete { descriptors.forEach(closeDescriptor) } }
        var yes: Int32 = 1
        try system("setsockopt SO_REUSEADDR", where_) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = configuration.port.bigEndian
        guard inet_pton(AF_INET, configuration.host, &address.sin_addr) == 1 else {
            throw SystemCallError("inet_pton", "\(configuration.host) (not an IPv4 address)", .invalidArgument)
        }
        try withUnsafePointer(to: &address) { pointer throws(SystemCallError) in
            let generic = UnsafeRawPointer(pointer).assumingMemoryBound(to: sockaddr.self)
            try system("bind", where_) { bind(fd, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try system("listen", where_) { listen(fd, 4_096) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &actual) { pointer throws(SystemCallError) in
            let generic = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: sockaddr.self)
            try system("getsockname", where_) { getsockname(fd, generic, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        epoll = try system("epoll_create1", "server") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        descriptors.append(epoll)
        wake = try EventCounter()
        try system("epoll_ctl", "wake-up") { [epoll, wake] in
            portero_epoll_ctl(epoll, EPOLL_CTL_ADD, wake.descriptor, portero_EPOLLIN)
        }
        // One-shot: the loop that takes new connections accepts a batch, then arms it again.
        try system("epoll_ctl", "listener") { [epoll] in
            portero_epoll_ctl(epoll, EPOLL_CTL_ADD, fd, portero_EPOLLIN | portero_EPOLLONESHOT)
        }
        complete = true
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
        for connection in table.all() { closeDescriptor(connection.fd) }
        closeDescriptor(listener)
        closeDescriptor(epoll)
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
        // It can fail only if the socket is not listening any more, which is what is wanted.
        _ = try? system("shutdown", "listener") { shutdown(listener, Int32(SHUT_RDWR)) }
        wakeUp()
    }

    func wakeUp() { wake.signal() }

    /// When an accept failure was last reported (monotonic milliseconds).
    let lastAcceptReport = Atomic<Int64>(.min)

    /// True at most once a second: a full descriptor table fails every accept until one frees.
    func mayReportAcceptFailure(now: Int64) -> Bool {
        let last = lastAcceptReport.load(ordering: .relaxed)
        guard last == .min || now - last >= 1_000 else { return false }
        return lastAcceptReport.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
    }

    /// Registers `fd` in the epoll set again (`EPOLL_CTL_MOD`), so the kernel reports what is
    /// already there; false when the set refuses it, and the caller then closes the connection
    /// (it would otherwise wait for an event that never comes).
    func rearm(_ fd: Int32, _ events: UInt32) -> Bool {
        (try? system("epoll_ctl", "connection \(fd)") { portero_epoll_ctl(epoll, EPOLL_CTL_MOD, fd, events) }) != nil
    }

    /// True while the event loops turn (each does at least every 50 ms); the service's watchdog
    /// keep-alive is sent only then, so systemd restarts a server whose loops are stuck.
    public var isResponsive: Bool { HTTPServer.now() - lastTurn.load(ordering: .relaxed) < 5_000 }

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
            closeDescriptor(connection.fd)
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
}
