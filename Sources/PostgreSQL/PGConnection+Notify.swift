import CLinux
import CPQ

/// A notification from `NOTIFY channel, 'payload'`.
public struct PGNotification: Equatable, Sendable {
    public let channel: String
    public let payload: String
    /// The server process that sent it.
    public let sender: Int32
}

/// LISTEN/NOTIFY: how instances tell each other that something was committed.
extension PGConnection {
    /// Subscribes this connection to `channel` (a plain identifier).
    public func listen(_ channel: String) throws {
        try execute("LISTEN \(try Self.identifier(channel))")
    }

    /// Sends `payload` to every connection listening on `channel`, when the current transaction
    /// commits (at once outside one).
    public func notify(_ channel: String, payload: String = "") throws {
        try run("SELECT pg_notify(?, ?)", try Self.identifier(channel), payload)
    }

    static func identifier(_ name: String) throws -> String {
        guard !name.isEmpty, name.count <= 63,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0))
            })
        else { throw PGError(message: "not a plain identifier", context: "channel \(name)") }
        return name
    }

    /// The descriptor to poll for input (notifications, or the server closing the connection).
    public var socketDescriptor: Int32 { PQsocket(handle) }

    /// Notifications that have arrived, waiting up to `timeoutMilliseconds` for the first one
    /// (0: only those already here). Throws when the connection is lost.
    public func notifications(waitingMilliseconds timeoutMilliseconds: Int32 = 0) throws -> [PGNotification] {
        var found = try drainNotifications()
        guard found.isEmpty, timeoutMilliseconds > 0 else { return found }
        var descriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, timeoutMilliseconds) > 0 { found = try drainNotifications() }
        return found
    }

    private func drainNotifications() throws -> [PGNotification] {
        guard PQconsumeInput(handle) == 1 else {
            throw PGError(
                message: Self.text(PQerrorMessage(handle)), context: "waiting for notifications", lostConnection: true)
        }
        var found: [PGNotification] = []
        while let notice = PQnotifies(handle) {
            found.append(
                PGNotification(
                    channel: String(cString: notice.pointee.relname), payload: String(cString: notice.pointee.extra),
                    sender: notice.pointee.be_pid))
            PQfreemem(notice)
        }
        return found
    }
}
