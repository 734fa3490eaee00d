#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation
import HTTP
@testable import Server
import TestSupport
import Testing

/// The io_uring the event loops read requests and write answers with, against real sockets:
/// each answer's bytes reach its own peer, each socket's bytes land in its own slot, and each
/// failure is reported for its own socket as `send` and `recv` report it.
@Suite struct SocketRingTests {
    /// A connected pair of non-blocking stream sockets.
    final class Pair {
        let ours: Int32
        let theirs: Int32
        private var theirsOpen = true
        init() throws {
            var fds: [Int32] = [0, 0]
            guard
                socketpair(
                    AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    0, &fds) == 0
            else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            (ours, theirs) = (fds[0], fds[1])
        }
        func received() -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 1 << 20)
            let count = read(theirs, &bytes, bytes.count)
            return count > 0 ? Array(bytes[0..<count]) : []
        }
        func closeTheirs() {
            close(theirs)
            theirsOpen = false
        }
        deinit {
            close(ours)
            // Never twice: the number may already be another test's descriptor.
            if theirsOpen { close(theirs) }
        }
    }

    @Test func theKernelStructuresHaveTheSizesTheRingAssumes() {
        #expect(MemoryLayout<io_uring_sqe>.size == 64)
        #expect(MemoryLayout<io_uring_cqe>.size == 16)
    }

    @Test func everyAnswerOfABatchReachesItsOwnPeer() throws {
        let ring = try SocketRing(capacity: 32)
        #expect(ring.capacity >= 32)
        let pairs = try (0..<20).map { _ in try Pair() }
        for round in 0..<3 {  // the ring's counters wrap past its size
            let answers = pairs.enumerated().map { index, pair in
                (fd: pair.ours, bytes: ArraySlice(Array("answer \(round)-\(index)".utf8)))
            }
            let outcomes = ring.send(answers)
            #expect(outcomes == answers.map { .done($0.bytes.count) })
            for (index, pair) in pairs.enumerated() {
                #expect(pair.received() == Array("answer \(round)-\(index)".utf8))
            }
        }
    }

    @Test func aFullSocketAClosedPeerAndABadDescriptorFailAloneAsSendWouldSay() throws {
        let ring = try SocketRing(capacity: 8)
        let full = try Pair()
        let chunk = [UInt8](repeating: 7, count: 65_536)
        while chunk.withUnsafeBytes({ send(full.ours, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        #expect(errno == EAGAIN)
        let gone = try Pair()
        gone.closeTheirs()
        let fine = try Pair()
        let partly = try Pair()
        let outcomes = ring.send([
            (full.ours, ArraySlice([1, 2, 3])), (gone.ours, ArraySlice([4])), (-1, ArraySlice([5])),
            (fine.ours, ArraySlice(Array("still sent".utf8))), (partly.ours, ArraySlice(chunk)),
        ])
        #expect(outcomes[0] == .failed(EAGAIN))
        #expect(outcomes[1] == .failed(EPIPE))  // and no SIGPIPE: the process is still here
        #expect(outcomes[2] == .failed(EBADF))
        #expect(outcomes[3] == .done(10))
        #expect(fine.received() == Array("still sent".utf8))
        // A socket that takes only part of an answer says how much; the rest is the caller's.
        guard case let .done(count) = outcomes[4] else {
            Issue.record("the partly full socket took nothing: \(outcomes[4])")
            return
        }
        #expect(count > 0 && count <= chunk.count)
        #expect(!ring.broken)
    }

    @Test func eachSocketOfABatchIsReadIntoItsOwnSlotAndFailsAloneAsRecvWouldSay() throws {
        let ring = try SocketRing(capacity: 8)
        let hello = try Pair()
        let empty = try Pair()
        let closed = try Pair()
        closed.closeTheirs()
        let large = try Pair()
        let bytes = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for (pair, text) in [(hello, Array("hello".utf8)), (large, bytes)] {
            #expect(
                text.withUnsafeBytes { Glibc.send(pair.theirs, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    == text.count)
        }
        for round in 0..<3 {  // the ring's counters wrap past its size
            var seen: [(SocketRing.Outcome, [UInt8])] = []
            ring.receive([hello.ours, empty.ours, closed.ours, -1, large.ours]) { index, outcome, received in
                #expect(index == seen.count)
                seen.append((outcome, Array(received)))
            }
            #expect(seen.count == 5)
            if round == 0 {
                #expect(seen[0].0 == .done(5) && seen[0].1 == Array("hello".utf8))
                // A socket holding more than a slot fills it; the rest waits for the next read.
                #expect(
                    seen[4].0 == .done(SocketRing.receiveSlot)
                        && seen[4].1 == Array(bytes.prefix(SocketRing.receiveSlot)))
            } else {
                #expect(seen[0].0 == .failed(EAGAIN) && seen[0].1.isEmpty)
                let offset = min(bytes.count, round * SocketRing.receiveSlot)
                let rest = Array(bytes[offset..<min(bytes.count, offset + SocketRing.receiveSlot)])
                #expect(seen[4].0 == .done(rest.count) && seen[4].1 == rest)
            }
            #expect(seen[1].0 == .failed(EAGAIN))  // nothing there: not waited for
            #expect(seen[2].0 == .done(0))  // the peer closed
            #expect(seen[3].0 == .failed(EBADF))
        }
        #expect(!ring.broken)
    }

    /// A connection reuses its output buffer from answer to answer, unless a large answer grew
    /// it: then it is let go, so idle connections do not each keep a large answer's memory.
    @Test func aLargeAnswersBufferIsNotKeptByTheConnection() throws {
        var router = Router()
        router.add(.get, "/large") { _ in .text(String(repeating: "x", count: 1 << 20)) }
        router.add(.get, "/small") { _ in .text("small") }
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.eventLoops = 1
        let server = try HTTPServer(configuration: configuration, router: router)
        let done = DispatchSemaphore(value: 0)
        Thread {
            server.run()
            done.signal()
        }.start()
        defer {
            server.stop()
            _ = done.wait(timeout: .now() + 5)
        }
        let client = try LoopbackClient(port: server.port)
        client.send("GET /large HTTP/1.1\r\nHost: a\r\n\r\n")
        // The body and at least its status line, type and length.
        #expect(client.receiveBytes(milliseconds: 20_000) { $0.count >= (1 << 20) + 64 }.bytes.count >= (1 << 20) + 64)
        #expect(
            eventually(within: 5) {
                server.table.all().allSatisfy { $0.output.capacity <= EventLoop.keptOutputCapacity }
            })
        client.send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(client.receive { $0.hasSuffix("small") }.text.hasSuffix("small"))
        #expect(
            eventually(within: 5) {
                server.table.all().allSatisfy {
                    $0.output.capacity > 0 && $0.output.capacity <= EventLoop.keptOutputCapacity
                }
            })
    }
}
