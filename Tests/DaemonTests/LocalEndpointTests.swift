@testable import Daemon
import Foundation
import LinuxSystem
import PorteroModel
import SyncWire
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The desk's changes on the status socket record who made them: the local account the kernel
/// names for the socket's peer (SO_PEERCRED), never a name the request gives.
@Suite struct LocalEndpointTests {
    /// Sends `POST path` on the daemon's Unix socket (a real one, in the test's folder), turns the
    /// loop until the answer has been written, and returns its status and body.
    static func post(_ branch: BranchLoopTests.Branch, _ path: String, _ json: String) throws -> (Int, String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        let address = try #require(UnixSocketAddress(path: branch.directory.file("status.sock")))
        #expect(address.withSocketAddress { connect(fd, $0, $1) } == 0)
        let head = "POST \(path) HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n"
        let request = Array((head + "\r\n" + json).utf8)
        #expect(request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == request.count)
        var answer: [UInt8] = []
        for _ in 0..<100 {
            try branch.daemon.turn(maximumWait: 0)
            var chunk = [UInt8](repeating: 0, count: 4_096)
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10) == 1 else { continue }
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            answer += chunk.prefix(count)
        }
        let text = String(decoding: answer, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? "")
    }

    /// The test process's own account, as the daemon should name it.
    static var localUser: SyncLocalUser {
        SyncLocalUser(uid: getuid(), name: getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) })
    }

    static func branchKnowingAna() throws -> BranchLoopTests.Branch {
        let branch = try BranchLoopTests.Branch()
        let ana = SyncUser(
            id: 12, clave: 12, displayName: "Ana", active: true, roles: [.client], grantedHere: false, pin: nil,
            cards: [], subscriptions: [])
        try branch.daemon.store.apply(
            SyncBatch(
                cursor: 1, items: [.user(ana)], commands: [], more: false, snapshotRequired: false,
                serverTime: branch.clock.wall()))
        return branch
    }

    @Test func aCheckInAtTheDeskJournalsTheLocalUserWithItsReason() throws {
        let branch = try Self.branchKnowingAna()
        let (status, body) = try Self.post(
            branch, "/checkin", #"{"user": 12, "reason": "olvidó su tarjeta", "by": "alguien"}"#)
        #expect(status == 201, "\(body)")
        let journalled = try #require(try branch.daemon.store.recentAttendance(limit: 1).first)
        #expect(journalled.reason == .grantedManual)
        #expect(journalled.note == "olvidó su tarjeta; at the desk by \(Self.localUser)")
        #expect(!(journalled.note ?? "").contains("alguien"), "the request does not say who it is")
        // The same note goes up to the core with the event.
        #expect(try branch.daemon.store.outboxBatch(limit: 10).map(\.note) == [journalled.note])
    }

    @Test func aCardGivenAtTheDeskCarriesTheLocalUserToTheCore() throws {
        let branch = try Self.branchKnowingAna()
        let (status, body) = try Self.post(branch, "/cards", #"{"user": 12, "number": "0012345678"}"#)
        #expect(status == 202, "\(body)")
        let pending = try branch.daemon.store.pendingLocalCommands()
        #expect(pending.count == 1)
        #expect(pending.first?.localUser == Self.localUser)
    }
}
