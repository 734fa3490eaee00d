import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server: non-blocking sockets and poll(2) on one thread it owns, one request at
/// a time per connection, keep-alive by default, limits and deadlines from `HTTPRequestDecoder`
/// and `HTTPConnectionState`, and a graceful stop.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked: everything but `wake` and `stopping` is touched only by the thread in `run()`;
    // `stop()` only writes to the eventfd `wake`, and `stopping` is guarded by `lock`.
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
        public init() {}
    }

    final class Connection {
        let fd: Int32
        let address: String
        var decoder: HTTPRequestDecoder
        var state: HTTPConnectionState
        var output: [UInt8] = []
        var written = 0

        init(fd: Int32, address: String, limits: HTTPLimits, timeouts: HTTPTimeouts, now: Int64) {
            self.fd = fd
            self.address = address
            self.decoder = HTTPRequestDecoder(limits: limits)
            self.state = HTTPConnectionState(timeouts: timeouts, now: now)
        }
    }

    public let configuration: Configuration
    public let router: Router
    /// The port actually bound.
    public private(set) var port: UInt16 = 0
    private var listener: Int32
    private let wake: Int32
    private let lock = NSLock()
    private var stopping = false
    private var connections: [Int32: Connection] = [:]

    public init(configuration: Configuration, router: Router) throws {
        self.configuration = configuration
        self.router = router
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
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
        guard bound == 0, listen(fd, 1_024) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        if listener >= 0 { close(listener) }
        close(wake)
        for connection in connections.values { close(connection.fd) }
    }

    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Asks `run()` to stop accepting, finish what is in flight (within the grace) and return.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Serves until `stop()`.
    public func run() {
        var shutdownDeadline: Int64?
        /// Stop accepting and close idle connections, once, as soon as a stop was asked for.
        func beginShutdownIfRequested(_ now: Int64) {
            lock.lock()
            let stopRequested = stopping
            lock.unlock()
            guard stopRequested, shutdownDeadline == nil else { return }
            shutdownDeadline = now + configuration.shutdownGraceMilliseconds
            close(listener)
            listener = -1
            for connection in Array(connections.values) where connection.state.beginShutdown() { drop(connection) }
        }
        while true {
            let now = Self.now()
            beginShutdownIfRequested(now)
            if let deadline = shutdownDeadline, connections.isEmpty || now >= deadline {
                for connection in Array(connections.values) { drop(connection) }
                return
            }
            var set: [pollfd] = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            if listener >= 0 { set.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            for connection in connections.values {
                let wantsWrite = connection.written < connection.output.count
                set.append(pollfd(fd: connection.fd, events: Int16(wantsWrite ? POLLOUT : POLLIN), revents: 0))
            }
            let deadlines = connections.values.compactMap(\.state.deadline) + [shutdownDeadline].compactMap { $0 }
            let timeout = deadlines.min().map { Int32(max(0, min(1_000, $0 - now))) } ?? 1_000
            _ = poll(&set, nfds_t(set.count), timeout)
            let after = Self.now()
            if set[0].revents != 0 {
                var counter: UInt64 = 0
                _ = read(wake, &counter, 8)
                // Before serving what arrived with the stop, so those answers already say close.
                beginShutdownIfRequested(after)
            }
            for entry in set.dropFirst() where entry.revents != 0 {
                if entry.fd == listener {
                    accept(now: after)
                } else if let connection = connections[entry.fd] {
                    if entry.revents & Int16(POLLOUT) != 0 { flush(connection, now: after) }
                    else { receive(connection, now: after) }
                }
            }
            for connection in Array(connections.values) where connection.state.tick(after) != nil { drop(connection) }
        }
    }

    private func accept(now: Int64) {
        while true {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { portero_accept_peer(listener, $0, &length) }
            }
            guard fd >= 0 else { return }
            var text = [CChar](repeating: 0, count: 64)
            inet_ntop(AF_INET, &address.sin_addr, &text, 64)
            let peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fromPeer = connections.values.filter { $0.address == peer }.count
            guard connections.count < configuration.maximumConnections, fromPeer < configuration.maximumConnectionsPerAddress else {
                // Refused politely and at once: the client learns why and the slot is not held.
                let refusal = HTTPResponse.error(503, "too many connections").serialized(keepAlive: false)
                _ = refusal.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections[fd] = Connection(fd: fd, address: peer, limits: configuration.limits, timeouts: configuration.timeouts, now: now)
        }
    }

    private func receive(_ connection: Connection, now: Int64) {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = read(connection.fd, &chunk, chunk.count)
        if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
            drop(connection)
            return
        }
        guard count > 0 else { return }
        connection.decoder.append(chunk.prefix(count))
        connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
        serveNext(connection, now: now)
    }

    /// Answers the next complete request, if no response is being written.
    private func serveNext(_ connection: Connection, now: Int64) {
        guard connection.written >= connection.output.count else { return }
        do {
            guard let request = try connection.decoder.next() else { return }
            connection.state.requestDecoded()
            let response = router.respond(to: request)
            let keepAlive = request.keepAlive && !connection.state.draining
            connection.state.responseQueued(at: now, keepAlive: keepAlive)
            connection.output = response.serialized(keepAlive: keepAlive, headOnly: request.method == "HEAD")
            connection.written = 0
        } catch {
            connection.state.responseQueued(at: now, keepAlive: false)
            connection.output = HTTPResponse.error(error.status, "bad request: \(error.rule)").serialized(keepAlive: false)
            connection.written = 0
        }
        flush(connection, now: now)
    }

    private func flush(_ connection: Connection, now: Int64) {
        while connection.written < connection.output.count {
            let sent = connection.output[connection.written...].withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                drop(connection)
                return
            }
            connection.written += sent
        }
        connection.output.removeAll(keepingCapacity: true)
        connection.written = 0
        if connection.state.responseWritten(at: now) {
            drop(connection)
        } else if connection.decoder.bufferedCount > 0 {
            // A pipelined request may already be waiting.
            connection.state.received(at: now, headComplete: connection.decoder.hasCompleteHead)
            serveNext(connection, now: now)
        }
    }

    private func drop(_ connection: Connection) {
        close(connection.fd)
        connections[connection.fd] = nil
    }
}
