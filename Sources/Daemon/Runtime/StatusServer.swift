import CLinux
import Foundation
import HTTP
import Hardware
import LinuxSystem
import PorteroModel
import Service
#if canImport(Glibc)
import Glibc
#endif

/// The local status endpoint: HTTP/1.0 `GET /health`, `/status` (JSON) and `/metrics`
/// (Prometheus) on a Unix socket, and optionally on 127.0.0.1. Non-blocking, served from the
/// daemon's loop: a slow client is cut off after two seconds and never delays a door. Changes
/// made at the branch (`POST /checkin`, `POST /cards`) are taken on the Unix socket only, whose
/// file permissions say who may make them, and whose peer the kernel names (`SO_PEERCRED`) so the
/// change records who made it; the TCP port only reads.
final class StatusServer {
    /// Who connected to the Unix socket, as the kernel says, or why it could not be read.
    typealias Peer = Result<PeerCredentials, SystemCallError>
    private var listeners: [Int32] = []
    /// `peer` is nil for the loopback TCP port, which only reads.
    private var clients: [(fd: Int32, decoder: HTTPRequestDecoder, since: MonotonicInstant, peer: Peer?)] = []
    private let socketPath: String
    static let maximumClients = 8
    /// A status request is a GET line and a few headers; a local change a small JSON body.
    static let limits: HTTPLimits = {
        var limits = HTTPLimits()
        limits.requestLineBytes = 1_024
        limits.headerBytes = 4_096
        limits.headerCount = 32
        limits.bodyBytes = 4_096
        return limits
    }()

    init(socketPath: String, httpPort: UInt16?, log: Log) throws {
        self.socketPath = socketPath
        try FileManager.default.createDirectory(
            atPath: (socketPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard let address = UnixSocketAddress(path: socketPath) else {
            throw SystemCallError("bind", "\(socketPath) (longer than a socket path may be)", .invalidArgument)
        }
        // A socket file left by an earlier run; none is the usual case.
        _ = try? system("unlink", socketPath) { unlink(socketPath) }
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let unixFD = try system("socket", socketPath) { socket(AF_UNIX, type, 0) }
        do {
            try address.withSocketAddress { pointer, length throws(SystemCallError) in
                try system("bind", socketPath) { bind(unixFD, pointer, length) }
            }
            try system("listen", socketPath) { listen(unixFD, 16) }
            // Group-writable: the desk's changes come through this socket, for its group only.
            try system("chmod", socketPath) { chmod(socketPath, 0o660) }
        } catch {
            closeDescriptor(unixFD)
            throw error
        }
        listeners.append(unixFD)
        if let port = httpPort {
            do {
                listeners.append(try Self.listenOnLoopback(port: port, type: type))
            } catch {
                log(.warning, "status: cannot listen on 127.0.0.1:\(port) (\(error)); the Unix socket still answers")
            }
        }
    }

    /// A listening TCP socket on 127.0.0.1:`port`, closed again if a step fails.
    static func listenOnLoopback(port: UInt16, type: Int32) throws(SystemCallError) -> Int32 {
        let subject = "127.0.0.1:\(port)"
        let tcp = try system("socket", subject) { socket(AF_INET, type, 0) }
        do {
            var yes: Int32 = 1
            try system("setsockopt SO_REUSEADDR", subject) {
                setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            }
            var inet = sockaddr_in()
            inet.sin_family = sa_family_t(AF_INET)
            inet.sin_port = port.bigEndian
            inet.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // loopback only
            try withUnsafePointer(to: &inet) { pointer throws(SystemCallError) in
                let generic = UnsafeRawPointer(pointer).assumingMemoryBound(to: sockaddr.self)
                try system("bind", subject) { bind(tcp, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try system("listen", subject) { listen(tcp, 16) }
            return tcp
        } catch {
            closeDescriptor(tcp)
            throw error
        }
    }

    deinit {
        for fd in listeners { closeDescriptor(fd) }
        for client in clients { closeDescriptor(client.fd) }
        _ = try? system("unlink", socketPath) { unlink(socketPath) }
    }

    var descriptors: [Int32] { listeners + clients.map(\.fd) }

    var deadline: MonotonicInstant? { clients.map { $0.since.adding(milliseconds: 2_000) }.min() }

    /// Accepts, reads, answers. `respond` maps a request and its peer to (status, content type,
    /// body); a POST reaches it only from the Unix socket, with the peer's credentials.
    func handleReadable(
        _ fd: Int32, now: MonotonicInstant, respond: (HTTPRequest, Peer?) -> (Int, String, String)
    ) {
        if listeners.contains(fd) {
            while clients.count < Self.maximumClients {
                // EAGAIN ends the batch; any other failure leaves the client in the backlog.
                guard let client = try? system("accept4", "status socket", { portero_accept(fd) }) else { break }
                let peer =
                    fd == listeners.first
                    ? Peer { () throws(SystemCallError) in try PeerCredentials(socket: client) } : nil
                clients.append((client, HTTPRequestDecoder(limits: Self.limits), now, peer))
            }
            return
        }
        guard let index = clients.firstIndex(where: { $0.fd == fd }) else { return }
        var chunk = [UInt8](repeating: 0, count: 1024)
        let count: Int
        do {
            count = try system("read", "status client") { read(fd, &chunk, chunk.count) }
        } catch {
            if error.errno != .wouldBlock { drop(at: index) }
            return
        }
        guard count > 0 else { return drop(at: index) }
        clients[index].decoder.append(chunk.prefix(count))
        // The project's strict decoder: a malformed request gets its status and the connection closes.
        do {
            guard let request = try clients[index].decoder.next() else { return }
            if request.method == "GET" || (request.method == "POST" && clients[index].peer != nil) {
                let (status, type, body) = respond(request, clients[index].peer)
                answer(fd, status, type, body)
            } else {
                answer(fd, 405, "text/plain", "only GET is answered here (changes go through the Unix socket)\n")
            }
        } catch {
            answer(fd, error.status, "text/plain", "bad request: \(error.rule)\n")
        }
        drop(at: index)
    }

    /// Cuts off clients that did not finish their request in time.
    func tick(now: MonotonicInstant) {
        while let index = clients.firstIndex(where: { now.nanoseconds(since: $0.since) >= 2_000_000_000 }) {
            answer(clients[index].fd, 408, "text/plain", "request timeout\n")
            drop(at: index)
        }
    }

    private func drop(at index: Int) {
        closeDescriptor(clients[index].fd)
        clients.remove(at: index)
    }

    private func answer(_ fd: Int32, _ status: Int, _ type: String, _ body: String) {
        let reason = HTTPResponse.reasons[status] ?? "Error"
        let payload = Array(body.utf8)
        let head =
            "HTTP/1.0 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(payload.count)\r\n"
            + "Connection: close\r\n\r\n"
        let bytes = Array(head.utf8) + payload
        // A status answer is small; what the socket buffer does not take is dropped with the client.
        _ = try? bytes.withUnsafeBytes { buffer throws(SystemCallError) in
            try system("send", "status client") {
                send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
        }
    }
}
