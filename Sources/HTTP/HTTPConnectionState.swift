/// Deadlines of one connection, each counted from the moment that starts it.
public struct HTTPTimeouts: Hashable, Sendable {
    /// From a request's first byte to the end of its header block.
    public var headersMilliseconds: Int64 = 10_000
    /// From a request's first byte to the end of its body.
    public var bodyMilliseconds: Int64 = 30_000
    /// A kept-alive connection with no request in progress.
    public var idleMilliseconds: Int64 = 60_000
    /// From a response queued to its last byte written.
    public var writeMilliseconds: Int64 = 30_000

    public init() {}
}

/// One connection's life as a pure state machine over a millisecond clock: waiting (idle), reading
/// a request (header and body deadlines from its first byte), handling, writing (write deadline),
/// and closed. The server feeds events and performs the close it returns; tests drive it with a
/// mock clock, so a slowloris client is cut off without sleeping.
public struct HTTPConnectionState: Hashable, Sendable {
    public enum Phase: Hashable, Sendable {
        case idle(since: Int64)
        case reading(firstByte: Int64, headComplete: Bool)
        case handling
        case writing(since: Int64, keepAlive: Bool)
        case closed(reason: CloseReason)
    }

    public enum CloseReason: String, Hashable, Sendable {
        case headersTimeout = "headers timeout"
        case bodyTimeout = "body timeout"
        case idleTimeout = "idle timeout"
        case writeTimeout = "write timeout"
        case peerClosed = "peer closed"
        case badRequest = "bad request"
        case done = "response done, not kept alive"
        case shutdown = "server shutting down"
    }

    public let timeouts: HTTPTimeouts
    public private(set) var phase: Phase
    /// Set by a graceful shutdown: finish the request in progress, then close.
    public private(set) var draining = false

    public init(timeouts: HTTPTimeouts = HTTPTimeouts(), now: Int64) {
        self.timeouts = timeouts
        self.phase = .idle(since: now)
    }

    public var isClosed: Bool { if case .closed = phase { true } else { false } }

    /// When `tick` must run next.
    public var deadline: Int64? {
        switch phase {
        case let .idle(since): since + timeouts.idleMilliseconds
        case let .reading(first, headComplete):
            first + (headComplete ? timeouts.bodyMilliseconds : timeouts.headersMilliseconds)
        case .handling: nil
        case let .writing(since, _): since + timeouts.writeMilliseconds
        case .closed: nil
        }
    }

    /// Bytes arrived; `headComplete` says whether the buffered request has its whole header block.
    public mutating func received(at now: Int64, headComplete: Bool) {
        switch phase {
        case .idle: phase = .reading(firstByte: now, headComplete: headComplete)
        case let .reading(first, complete): phase = .reading(firstByte: first, headComplete: complete || headComplete)
        default: break  // bytes of a pipelined request wait until this one is answered
        }
    }

    /// A whole request was decoded: the deadlines stop while the handler runs.
    public mutating func requestDecoded() {
        if case .reading = phase { phase = .handling }
    }

    /// The response is queued for writing.
    public mutating func responseQueued(at now: Int64, keepAlive: Bool) {
        phase = .writing(since: now, keepAlive: keepAlive && !draining)
    }

    /// The response's last byte left. Returns true when the connection must close now.
    public mutating func responseWritten(at now: Int64) -> Bool {
        guard case let .writing(_, keepAlive) = phase else { return isClosed }
        if keepAlive {
            phase = .idle(since: now)
            return false
        }
        phase = .closed(reason: .done)
        return true
    }

    public mutating func fail(_ reason: CloseReason) { phase = .closed(reason: reason) }

    /// Graceful shutdown: an idle connection closes now; one mid-request finishes first.
    public mutating func beginShutdown() -> Bool {
        draining = true
        if case .idle = phase {
            phase = .closed(reason: .shutdown)
            return true
        }
        if case let .writing(since, _) = phase { phase = .writing(since: since, keepAlive: false) }
        return false
    }

    /// Time passing: returns the reason when a deadline has passed and the connection must close.
    public mutating func tick(_ now: Int64) -> CloseReason? {
        guard let deadline, now >= deadline else { return nil }
        let reason: CloseReason
        switch phase {
        case .idle: reason = .idleTimeout
        case let .reading(_, headComplete): reason = headComplete ? .bodyTimeout : .headersTimeout
        case .writing: reason = .writeTimeout
        default: return nil
        }
        phase = .closed(reason: reason)
        return reason
    }
}
