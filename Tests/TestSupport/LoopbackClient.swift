import Foundation

/// A blocking loopback client with a receive deadline.
public final class LoopbackClient {
    public let fd: Int32

    /// `receiveBuffer` (bytes) keeps the socket's receive buffer that small, so a large answer
    /// fills it and the server has to wait for the client to read.
    public init(port: UInt16, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    public func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until `done` holds for what arrived, the peer closes, or `milliseconds` pass.
    public func receive(milliseconds: Int32 = 5_000, until done: (String) -> Bool = { _ in false }) -> (
        text: String, closed: Bool
    ) {
        let (bytes, closed) = receiveBytes(milliseconds: milliseconds) { done(String(decoding: $0, as: UTF8.self)) }
        return (String(decoding: bytes, as: UTF8.self), closed)
    }

    /// The same on bytes, for large answers (`done` sees every byte so far after each read).
    public func receiveBytes(milliseconds: Int32 = 5_000, until done: ([UInt8]) -> Bool) -> (
        bytes: [UInt8], closed: Bool
    ) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while Date() < deadline {
            var pollSet = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pollSet, 1, 50) > 0 else { continue }
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return (bytes, true) }
            bytes += chunk.prefix(count)
            if done(bytes) { break }
        }
        return (bytes, false)
    }
}
