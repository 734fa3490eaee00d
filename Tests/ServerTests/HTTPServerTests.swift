import Foundation
import HTTP
import Server
import Synchronization
import TestSupport
import Testing

/// A server on an ephemeral loopback port, on a thread of its own, stopped at the end.
final class RunningServer {
    let server: HTTPServer
    let thread: Thread
    let done = DispatchSemaphore(value: 0)

    /// `router` by default answers `/hello` and `/users/:id`.
    init(router given: Router? = nil, configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configure(&configuration)
        var router = Router()
        router.add(.get, "/hello") { _ in .text("hello") }
        router.add(.get, "/users/:id") { context in .json(["id": try context.parameter("id")]) }
        server = try HTTPServer(configuration: configuration, router: given ?? router)
        let server = self.server
        let done = self.done
        thread = Thread {
            server.run()
            done.signal()
        }
        thread.start()
    }

    private var finished = false

    /// Stops and waits (5 s at most) for run() to return.
    func stop() -> Bool {
        if finished { return true }
        server.stop()
        finished = done.wait(timeout: .now() + 5) == .success
        return finished
    }

    deinit { _ = stop() }
}

@Suite(.serialized) struct HTTPServerTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let running = try RunningServer()
        let client = try LoopbackClient(port: running.server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = client.receive { $0.hasSuffix("hello") }
        #expect(first.text.hasPrefix("HTTP/1.1 200 OK") && !first.closed)
        client.send("GET /users/42 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.receive { $0.hasSuffix("}") }.text.hasSuffix(#"{"id":"42"}"#))
        #expect(running.stop())
    }

    @Test(arguments: [true, false]) func pipelinedRequestsAreAnsweredInOrderOneAtATime(ioUring: Bool) throws {
        let running = try RunningServer { $0.ioUring = ioUring }
        let client = try LoopbackClient(port: running.server.port)
        client.send(
            "GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let reply = client.receive()
        #expect(reply.closed)
        let first = try #require(reply.text.range(of: #"{"id":"1"}"#))
        let second = try #require(reply.text.range(of: #"{"id":"2"}"#))
        #expect(first.lowerBound < second.lowerBound)
        #expect(reply.text.contains("Connection: close"))
    }

    @Test func aBadRequestIsAnswered400WithConnectionCloseThenClosed() throws {
        let running = try RunningServer()
        let client = try LoopbackClient(port: running.server.port)
        client.send("POST /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
        let reply = client.receive()
        #expect(reply.text.hasPrefix("HTTP/1.1 400 Bad Request"))
        #expect(
            reply.text.contains("Connection: close") && reply.text.contains("content-length-with-transfer-encoding"))
        #expect(reply.closed)
    }

    @Test func aSlowlorisClientIsCutOff() throws {
        let running = try RunningServer { $0.timeouts.headersMilliseconds = 300 }
        let client = try LoopbackClient(port: running.server.port)
        client.send("GET /hello HTTP/1.1\r\nHo")
        let started = Date()
        let reply = client.receive(milliseconds: 5_000)
        #expect(reply.closed && reply.text.isEmpty)
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func anIdleKeptAliveConnectionIsClosedAtTheIdleDeadline() throws {
        let running = try RunningServer { $0.timeouts.idleMilliseconds = 300 }
        let client = try LoopbackClient(port: running.server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        #expect(client.receive(milliseconds: 5_000).closed)
    }

    @Test func connectionsPerAddressAreLimitedWith503() throws {
        let running = try RunningServer { $0.maximumConnectionsPerAddress = 2 }
        let a = try LoopbackClient(port: running.server.port)
        let b = try LoopbackClient(port: running.server.port)
        a.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        b.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(a.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        #expect(b.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        let c = try LoopbackClient(port: running.server.port)
        let refused = c.receive()
        #expect(refused.text.hasPrefix("HTTP/1.1 503") && refused.closed)
    }

    /// With requests read and answers written through io_uring (where the kernel has it), and
    /// with one read and one send each.
    @Test(arguments: [true, false]) func manyConnectionsOverSeveralEventLoopsAreAllAnsweredAndCounted(ioUring: Bool)
        throws
    {
        let running = try RunningServer {
            $0.eventLoops = 4
            $0.maximumConnectionsPerAddress = 1_000
            $0.ioUring = ioUring
        }
        #expect(
            running.server.socketIO.hasPrefix(
                ioUring ? "io_uring" : "one read(2) per request and one send(2) per answer (io_uring turned off)"))
        let answered = Atomic<Int>(0)
        let port = running.server.port
        // 48 clients at once, 20 requests each on one kept-alive connection.
        DispatchQueue.concurrentPerform(iterations: 48) { index in
            guard let client = try? LoopbackClient(port: port) else { return }
            for request in 0..<20 {
                client.send("GET /users/\(index)-\(request) HTTP/1.1\r\nHost: a\r\n\r\n")
                if client.receive(until: { $0.hasSuffix("}") }).text.contains(#""id":"\#(index)-\#(request)""#) {
                    answered.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(answered.load(ordering: .relaxed) == 48 * 20)
        // Every client closed: the admission count returns to zero.
        #expect(eventually(within: 5) { running.server.openConnections == 0 })
    }

    /// No connection belongs to a loop: while one loop is stuck in a slow handler, the other
    /// serves every other client, including clients the stuck loop served before.
    @Test func aSlowHandlerHoldsUpOnlyItsOwnClient() throws {
        let entered = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        var router = Router()
        router.add(.get, "/slow") { _ in
            entered.signal()
            _ = proceed.wait(timeout: .now() + 10)
            return .text("slow")
        }
        router.add(.get, "/hello") { _ in .text("hello") }
        let running = try RunningServer(router: router) {
            $0.eventLoops = 2
            $0.maximumConnectionsPerAddress = 1_000
        }
        let server = running.server
        defer { _ = running.stop() }  // and keeps it alive to the end
        let clients = try (0..<40).map { _ in try LoopbackClient(port: server.port) }
        // Every client is served once, by either loop.
        for client in clients {
            client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(client.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        }
        let slow = try LoopbackClient(port: server.port)
        slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        // One loop is stuck; all forty are still answered, by the other.
        for client in clients {
            client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(client.receive(milliseconds: 2_000) { $0.hasSuffix("hello") }.text.contains("200 OK"))
        }
        proceed.signal()
        #expect(slow.receive { $0.hasSuffix("slow") }.text.contains("200 OK"))
        #expect(server.requestsPerLoop.reduce(0, +) == 81)
    }

    @Test func stopFinishesTheRequestInFlightAndClosesIdleConnections() throws {
        let running = try RunningServer()
        let idle = try LoopbackClient(port: running.server.port)
        let busy = try LoopbackClient(port: running.server.port)
        busy.send("GET /hello HTTP/1.1\r\nHost: a\r\n")  // headers not finished yet
        _ = busy.receive(milliseconds: 200)
        running.server.stop()
        busy.send("\r\n")
        let reply = busy.receive()
        #expect(reply.text.hasPrefix("HTTP/1.1 200 OK") && reply.text.contains("Connection: close"))
        #expect(idle.receive().closed)
        #expect(running.stop())
        #expect((try? LoopbackClient(port: running.server.port)) == nil)
    }
}

@Suite(.serialized) struct DeferredResponseTests {
    @Test func aLongPollIsAnsweredLaterWhileTheLoopServesOthers() throws {
        let parked = Mutex<[HTTPDeferred]>([])
        let arrived = DispatchSemaphore(value: 0)
        var router = Router()
        router.add(.get, "/wait") { _ in
            let deferred = HTTPDeferred()
            parked.withLock { $0.append(deferred) }
            arrived.signal()
            return .later(deferred)
        }
        router.add(.get, "/hello") { _ in .text("hello") }
        let running = try RunningServer(router: router) { $0.eventLoops = 1 }
        let server = running.server
        defer { _ = running.stop() }  // and keeps it alive to the end
        let waiting = try LoopbackClient(port: server.port)
        waiting.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n")
        // The one loop still answers another client while the first waits.
        let other = try LoopbackClient(port: server.port)
        other.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(other.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        #expect(waiting.receive(milliseconds: 200).text.isEmpty)
        let deferred = try #require(parked.withLock { $0.first })
        DispatchQueue.global().async { deferred.complete(.text("changes")) }
        let answer = waiting.receive { $0.hasSuffix("changes") }
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK") && !answer.closed)
        // Kept alive: the same connection serves the next request.
        waiting.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(waiting.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
        // A client that leaves while waiting costs nothing when the answer comes.
        let leaving = try LoopbackClient(port: server.port)
        leaving.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(arrived.wait(timeout: .now() + 5) == .success && arrived.wait(timeout: .now() + 5) == .success)
        let second = try #require(parked.withLock { $0.count > 1 ? $0[1] : nil })
        let before = server.openConnections
        shutdown(leaving.fd, Int32(SHUT_RDWR))
        // The server has seen the client go before the answer comes.
        #expect(eventually(within: 5) { server.openConnections < before })
        second.complete(.text("late"))
        other.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(other.receive { $0.hasSuffix("hello") }.text.contains("200 OK"))
    }
}

@Suite(.serialized) struct BatchTests {
    /// The router's `batchEnded` runs on the thread that ran the batch's handlers, after them,
    /// so per-thread state a handler keeps for its batch is always let go before the next wait.
    @Test func batchEndedRunsOnTheLoopThreadAfterItsHandlers() throws {
        let open = Mutex<[UInt: Int]>([:])  // handlers run since the thread's last batch end
        let ends = Atomic<Int>(0)
        var router = Router()
        router.add(.get, "/hello") { _ in
            open.withLock { $0[UInt(pthread_self()), default: 0] += 1 }
            return .text("hello")
        }
        router.batchEnded = {
            ends.add(1, ordering: .relaxed)
            open.withLock { _ = $0.removeValue(forKey: UInt(pthread_self())) }
        }
        let running = try RunningServer(router: router) { $0.eventLoops = 2 }
        let server = running.server
        defer { _ = running.stop() }  // and keeps it alive to the end
        let port = server.port
        let answered = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            guard let client = try? LoopbackClient(port: port) else { return }
            for _ in 0..<10 {
                client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
                if client.receive(until: { $0.hasSuffix("hello") }).text.contains("200 OK") {
                    answered.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(answered.load(ordering: .relaxed) == 160)
        // every handler's batch ended, on its own thread
        #expect(eventually(within: 5) { open.withLock { $0.isEmpty } })
        #expect(ends.load(ordering: .relaxed) >= 1)
    }
}

@Suite(.serialized) struct LargeAnswerTests {
    /// An answer larger than the socket's buffers is written as the client takes it (the loop
    /// lets go of the connection meanwhile, until the kernel announces space), and a request pipelined behind it
    /// is served once it is all out.
    static let body = String(repeating: "0123456789abcdef", count: 256 * 1024)  // 4 MiB

    /// Two loops, `/large` answering `body` and `/hello` answering "hello".
    static func largeAnswerServer() throws -> RunningServer {
        let large = HTTPResponse.text(body)
        var router = Router()
        router.add(.get, "/large") { _ in large }
        router.add(.get, "/hello") { _ in .text("hello") }
        return try RunningServer(router: router) { $0.eventLoops = 2 }
    }

    @Test func aLargeAnswerIsWrittenAsTheClientReadsAndThePipelinedRequestFollows() throws {
        let body = Self.body
        let running = try Self.largeAnswerServer()
        let server = running.server
        defer { _ = running.stop() }  // and keeps it alive to the end
        // A small receive buffer, and no reading yet: the server's writes must stop and wait.
        let client = try LoopbackClient(port: server.port, receiveBuffer: 4_096)
        client.send("GET /large HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        // Meanwhile other clients are served (the long deadline is for slow emulated machines).
        let other = try LoopbackClient(port: server.port)
        other.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(other.receive(milliseconds: 20_000) { $0.hasSuffix("hello") }.text.contains("200 OK"))
        let ending = Array("\r\n\r\nhello".utf8)
        let bytes = client.receiveBytes(milliseconds: 60_000) {
            $0.count > body.utf8.count && $0.suffix(ending.count).elementsEqual(ending)
        }.bytes
        let head = String(decoding: bytes.prefix(200), as: UTF8.self)
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.contains("Content-Length: \(body.utf8.count)\r\n"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(body))
        #expect(text.hasSuffix("\r\n\r\nhello"))
        #expect(server.requestsPerLoop.reduce(0, +) == 3)
    }

    /// A request that arrives while the answer before it is still being written is announced
    /// once (the socket is registered edge-triggered) and left unread until the answer is out:
    /// it is still served then.
    @Test func aRequestSentWhileTheAnswerBeforeItIsBeingWrittenIsServedAfterIt() throws {
        let body = Self.body
        let running = try Self.largeAnswerServer()
        defer { _ = running.stop() }
        let client = try LoopbackClient(port: running.server.port, receiveBuffer: 4_096)
        client.send("GET /large HTTP/1.1\r\nHost: a\r\n\r\n")
        // Part of the answer is here, and the rest cannot be (the client reads nothing more yet).
        var bytes = client.receiveBytes(milliseconds: 20_000) { !$0.isEmpty }.bytes
        #expect(!bytes.isEmpty && bytes.count < body.utf8.count)
        client.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let ending = Array("\r\n\r\nhello".utf8)
        bytes +=
            client.receiveBytes(milliseconds: 60_000) {
                $0.count + bytes.count > body.utf8.count && $0.suffix(ending.count).elementsEqual(ending)
            }.bytes
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK") && text.contains(body))
        #expect(text.hasSuffix("\r\n\r\nhello"))
        #expect(running.server.requestsPerLoop.reduce(0, +) == 2)
    }

    /// Bodies larger than one read (the ring's slot, the loop's buffer) from many clients at
    /// once: a read that fills its buffer leaves the rest to be announced again, and every body
    /// arrives whole.
    @Test(arguments: [true, false]) func bodiesLargerThanOneReadArriveWhole(ioUring: Bool) throws {
        var router = Router()
        router.add(.post, "/sum", bodyLimit: 200_000) { context in
            .text("\(context.request.body.count) \(context.request.body.reduce(0) { $0 &+ Int($1) })")
        }
        let running = try RunningServer(router: router) {
            $0.eventLoops = 2
            $0.ioUring = ioUring
        }
        defer { _ = running.stop() }
        let port = running.server.port
        let answered = Atomic<Int>(0)
        // Few enough clients and bytes for the emulated machine, where the hardware tests run beside.
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            guard let client = try? LoopbackClient(port: port) else { return }
            let body = String(
                repeating: String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index))), count: 100_000 + index)
            let expected = "\(body.utf8.count) \(body.utf8.reduce(0) { $0 &+ Int($1) })"
            for _ in 0..<2 {
                client.send("POST /sum HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
                guard client.receive(milliseconds: 10_000, until: { $0.hasSuffix(expected) }).text.hasSuffix(expected)
                else { break }
                answered.add(1, ordering: .relaxed)
            }
        }
        #expect(answered.load(ordering: .relaxed) == 8 * 2)
    }
}
