import Foundation
import Synchronization

/// A response a handler gives later (a long poll): the handler returns `HTTPResponse.later(_:)`
/// and calls `complete` from any thread, once; later calls are ignored. The connection waits
/// without a deadline, so whoever holds it must complete it within a bound of their own.
public final class HTTPDeferred: Sendable {
    private enum State {
        case waiting([@Sendable (HTTPResponse) -> Void])
        case done(HTTPResponse)
    }
    private let state = Mutex(State.waiting([]))

    public init() {}

    public func complete(_ response: HTTPResponse) {
        let deliver: [@Sendable (HTTPResponse) -> Void] = state.withLock { state in
            guard case let .waiting(callbacks) = state else { return [] }
            state = .done(response)
            return callbacks
        }
        for callback in deliver { callback(response) }
    }

    public var isComplete: Bool { state.withLock { if case .done = $0 { true } else { false } } }

    /// `body` runs once with the response (at once if it is already there): the server writes
    /// it, a router that counts answers counts it.
    public func whenComplete(_ body: @escaping @Sendable (HTTPResponse) -> Void) {
        let ready: HTTPResponse? = state.withLock { state in
            switch state {
            case let .done(response): return response
            case let .waiting(callbacks):
                state = .waiting(callbacks + [body])
                return nil
            }
        }
        if let ready { body(ready) }
    }
}

/// A response: status, header fields and body. Content-Length and Connection are added when it
/// is written.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Set when the answer comes later (see `HTTPDeferred`).
    public var deferred: HTTPDeferred?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// An answer that `deferred.complete` will give.
    public static func later(_ deferred: HTTPDeferred) -> HTTPResponse {
        var response = HTTPResponse(status: 0)
        response.deferred = deferred
        return response
    }

    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// Plain text.
    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// A JSON body from an `Encodable` value (keys sorted, so ETags are stable; see `JSONBytesEncoder`).
    public static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
        json(encoded: try? JSONBytesEncoder.encode(value), status: status)
    }

    /// The same for a value that writes itself (no run-time check that it does).
    public static func json(_ value: some JSONObjectWritable, status: Int = 200) -> HTTPResponse {
        json(encoded: try? JSONBytesEncoder.encode(value), status: status)
    }

    /// A JSON answer from encoded bytes; nil (the value could not be encoded) is a 500.
    private static func json(encoded body: [UInt8]?, status: Int) -> HTTPResponse {
        guard let body else { return .error(500, "the response could not be encoded") }
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// `{"error": message}` with the status.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        struct Body: Encodable { let error: String }
        var response = json(Body(error: message), status: status)
        response.status = status
        return response
    }

    public static let reasons: [Int: String] = [
        200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 304: "Not Modified", 400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
        413: "Content Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 429: "Too Many Requests",
        431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
        503: "Service Unavailable", 505: "HTTP Version Not Supported",
    ]

    /// Each status line as bytes, made once.
    static let statusLines: [Int: [UInt8]] = Dictionary(
        uniqueKeysWithValues: reasons.map { status, reason in
            (status, Array("HTTP/1.1 \(status) \(reason)\r\n".utf8))
        })

    /// A count's decimal digits, written straight into the answer (no string made).
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for 24 digits; an Int has at most 19
        withUnsafeMutableBytes(of: &digits) { buffer in
            var rest = UInt64(max(0, value))
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }

    /// The bytes on the wire. `headOnly` keeps Content-Length but drops the body (HEAD).
    public func serialized(keepAlive: Bool, headOnly: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        serialize(into: &bytes, keepAlive: keepAlive, headOnly: headOnly)
        return bytes
    }

    /// The bytes on the wire, appended to `bytes` (a connection reuses its output buffer).
    public func serialize(into bytes: inout [UInt8], keepAlive: Bool, headOnly: Bool = false) {
        let withBody = !(headOnly || status == 204 || status == 304)
        bytes.reserveCapacity(bytes.count + 160 + headers.count * 48 + (withBody ? body.count : 0))
        if let line = Self.statusLines[status] {
            bytes.append(contentsOf: line)
        } else {
            bytes.append(contentsOf: "HTTP/1.1 \(status) Status\r\n".utf8)
        }
        for field in headers {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(13)
            bytes.append(10)
        }
        if status != 204 && status != 304 {
            bytes.append(contentsOf: "Content-Length: ".utf8)
            Self.appendDecimal(body.count, to: &bytes)
            bytes.append(13)
            bytes.append(10)
        }
        if !keepAlive { bytes.append(contentsOf: "Connection: close\r\n".utf8) }
        bytes.append(13)
        bytes.append(10)
        if withBody { bytes.append(contentsOf: body) }
    }
}
