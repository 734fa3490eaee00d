import CLinux
import Foundation
import HTTP
import LinuxSystem
import Service
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Taking in new connections from the listener.
extension EventLoop {
    func accept(_ server: HTTPServer, now: Int64) {
        defer {
            if server.shutdownDeadline.load(ordering: .relaxed) == .max,
                !server.rearm(server.listener, portero_EPOLLIN | portero_EPOLLONESHOT)
            {
                server.log(.error, "the listening socket cannot be registered again (\(Errno.current)): no new clients")
            }
        }
        // A bounded batch, then the listener is armed again for whichever loop is free.
        for _ in 0..<64 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd: Int32
            do {
                fd = try withUnsafeMutablePointer(to: &address) { pointer throws(SystemCallError) in
                    let generic = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: sockaddr.self)
                    return try system("accept4", "listener") { portero_accept_peer(server.listener, generic, &length) }
                }
            } catch {
                // EAGAIN: the backlog is empty; EINVAL once a stop shut the listener down. Anything
                // else (EMFILE, ENOBUFS) is said at most once a second, and the listener is armed
                // again: the client waits in the backlog until a descriptor frees.
                let stopping = server.stopping.load(ordering: .relaxed)
                if error.errno != .wouldBlock, !stopping, server.mayReportAcceptFailure(now: now) {
                    server.log(.warning, "\(error); clients wait in the backlog")
                }
                return
            }
            var text = [CChar](repeating: 0, count: 64)
            inet_ntop(AF_INET, &address.sin_addr, &text, 64)
            let peer = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard server.admit(peer) else {
                // Refused politely and at once: the client learns why and the slot is not held.
                let refusal = HTTPResponse.error(503, "too many connections").serialized(keepAlive: false)
                // Best effort: a client that cannot take 120 bytes is closed all the same.
                _ = try? refusal.withUnsafeBytes { bytes throws(SystemCallError) in
                    try system("send", "refusal to \(peer)") {
                        send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                    }
                }
                closeDescriptor(fd)
                continue
            }
            var one: Int32 = 1
            // Without it only the latency of small answers suffers, so a refusal is not fatal.
            _ = try? system("setsockopt TCP_NODELAY", peer) {
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            let router = server.router
            let connection = Connection(
                fd: fd, id: server.nextConnectionID.add(1, ordering: .relaxed).newValue, address: peer,
                decoder: HTTPRequestDecoder(
                    limits: server.configuration.limits, bodyLimit: { router.bodyLimit(method: $0, path: $1) }),
                state: HTTPConnectionState(timeouts: server.configuration.timeouts, now: now))
            server.table.insert(connection)
            do {
                try system("epoll_ctl", "connection from \(peer)") {
                    portero_epoll_ctl(server.epoll, EPOLL_CTL_ADD, fd, Self.registration)
                }
            } catch {
                server.log(.warning, "\(error); the connection is closed")
                server.table.remove(connection)
                closeDescriptor(fd)
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
}
