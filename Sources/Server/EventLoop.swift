import CLinux
import Foundation
import HTTP
import LinuxSystem
import Service
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

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
        EventLoopThread.mark(true)
        defer { EventLoopThread.mark(false) }
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
            server.lastTurn.store(after, ordering: .relaxed)
            var completions = false
            for index in 0..<max(0, Int(count)) {
                let fd = readyFDs[index]
                if fd == server.wake.descriptor {
                    server.wake.reset()
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
        // Stop accepting; a failure means the listener is out of the set already.
        _ = try? system("epoll_ctl", "listener") { portero_epoll_ctl(server.epoll, EPOLL_CTL_DEL, server.listener, 0) }
        for connection in server.table.all() { shutDownOrLeave(connection, server) }
        server.wakeUp()  // the other loops look at the stop at once, not at their next timeout
    }

    /// Writes the deferred answers that arrived, to connections still open.
    private func deliverCompleted(_ server: HTTPServer, now: Int64) {
        let ready = server.completed.withLock { list -> [(fd: Int32, id: UInt64, bytes: [UInt8], keepAlive: Bool)] in
            defer { list.removeAll() }
            return list
        }
        for answer in ready {
            guard let connection = server.table.find(answer.fd), connection.id == answer.id else {
                continue  // the client left meanwhile
            }
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
            if ring.broken { reportBrokenRing(server) }
            return
        }
        for connection in readable {
            let count: Int
            do {
                count = try buffer.withUnsafeMutableBytes { bytes throws(SystemCallError) in
                    try system("read", "connection") { read(connection.fd, bytes.baseAddress, bytes.count) }
                }
            } catch {
                // EAGAIN: nothing after all (an edge for output). Anything else: the peer is gone.
                if (error as? SystemCallError)?.errno != .wouldBlock { drop(connection, server) }
                continue
            }
            buffer.withUnsafeBytes {
                take(
                    connection, UnsafeRawBufferPointer(rebasing: $0[0..<count]), filled: count == $0.count, server,
                    now: now)
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

    private func reportBrokenRing(_ server: HTTPServer) {
        server.log(
            .error,
            "io_uring failed (\(Errno.current)); requests and answers go one read(2) and send(2) each from now on")
    }

    /// Answers the next complete request, if no response is being written.
    private func serveNext(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        guard connection.written >= connection.output.count, !connection.awaitingDeferred else { return }
        do {
            guard var request = try connection.decoder.next() else { return }
            request.peer = connection.address
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
                if ring.broken { reportBrokenRing(server) }
            }
            for connection in batch where !connection.closed { flush(connection, server, now: now) }
        }
    }

    private func flush(_ connection: Connection, _ server: HTTPServer, now: Int64) {
        while connection.written < connection.output.count {
            let sent: Int
            do {
                sent = try connection.output[connection.written...].withUnsafeBytes { bytes throws(SystemCallError) in
                    try system("send", "connection") {
                        send(connection.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                    }
                }
            } catch {
                // EAGAIN: the kernel announces the space freed (an edge). Else the peer is gone.
                if (error as? SystemCallError)?.errno != .wouldBlock { drop(connection, server) }
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
            guard server.rearm(connection.fd, Self.registration) else { return drop(connection, server) }
        }
        // An edge that came while it was held went to a loop that could not take it.
        if connection.release(), !server.rearm(connection.fd, Self.registration) { dropUnheld(connection, server) }
    }

    /// Lets go of a connection taken without an event (the sweep, a stop): nothing of it was
    /// consumed, unless an edge came meanwhile and found it held.
    private func releaseUntouched(_ connection: Connection, _ server: HTTPServer) {
        if connection.release(), !server.rearm(connection.fd, Self.registration) { dropUnheld(connection, server) }
    }

    /// Once a stop began: closes the connection if nothing is in flight on it. One another loop
    /// holds is taken as an event that came while it was held (`acquire`), so its holder hands
    /// it back to the epoll set when it lets go and whoever takes it next sees the stop. (Passing
    /// over it instead could lose it: its holder may have looked for a stop just before it began.)
    func shutDownOrLeave(_ connection: Connection, _ server: HTTPServer) {
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
        closeDescriptor(connection.fd)  // also takes it out of the epoll set
        server.release(connection.address)
    }

    /// Closes a connection this loop has let go of, if nobody took it meanwhile (whoever did
    /// meets the same failure and closes it).
    private func dropUnheld(_ connection: Connection, _ server: HTTPServer) {
        if connection.tryAcquire() { drop(connection, server) }
    }
}
