import Foundation

/// Why a call to the core failed: the server's own message when it answered, else the transport's.
public struct CoreClientError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, nil when no answer came (refused, timed out, TLS, cancelled).
    public let status: Int?
    public let message: String

    public init(status: Int?, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String {
        status.map { "the core answered \($0): \(message)" } ?? "could not reach the core: \(message)"
    }
}

/// One answer from the core.
public struct CoreResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    public func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The body as JSON (an object, an array or a value).
    public func json() throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            let start = String(decoding: body.prefix(200), as: UTF8.self)
            throw CoreClientError(status: status, message: "the answer is not JSON: \(start)")
        }
    }
}

/// A small synchronous client for the core's JSON API over libcurl: a bearer token, the server's
/// error message on failure, no redirects followed with the token, HTTPS verified against the
/// system's CAs or, with `caFile`, against that file only. Several threads may send at once;
/// `cancel()` ends every request under way at once and refuses later ones.
public final class CoreClient: Sendable {
    public let baseURL: URL
    public let token: String?
    let transport: CurlTransport

    public init(baseURL: URL, token: String?, timeoutSeconds: Double = 30, caFile: String? = nil) {
        self.baseURL = baseURL
        self.token = token
        transport = CurlTransport(caFile: caFile, timeoutSeconds: timeoutSeconds)
    }

    /// Cancels what is in flight (a long poll at shutdown); every later `send` throws at once.
    public func cancel() { transport.cancel() }

    /// True once `cancel()` was called.
    public var isCancelled: Bool { transport.isCancelled }

    /// Sends a request and waits for the answer; non-2xx answers throw with the server's message.
    @discardableResult
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], json: Any? = nil, body: Data? = nil,
        contentType: String? = nil, headers: [String: String] = [:], allowing allowed: Set<Int> = []
    ) throws -> CoreResponse {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        else {
            throw CoreClientError(status: nil, message: "\(baseURL) is not a URL")
        }
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        }
        guard let url = components.url else { throw CoreClientError(status: nil, message: "bad path \(path)") }
        var request = CurlRequest(method: method, url: url.absoluteString, headers: [], body: nil)
        if let token { request.headers.append(("Authorization", "Bearer \(token)")) }
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request.headers.append((name, value)) }
        if let json {
            request.body = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            request.headers.append(("Content-Type", "application/json"))
        } else if let body {
            request.body = body
            request.headers.append(("Content-Type", contentType ?? "application/octet-stream"))
        }
        let response = try transport.perform(request)
        guard (200..<300).contains(response.status) || allowed.contains(response.status) else {
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            let message = object?["error"] as? String ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            throw CoreClientError(status: response.status, message: message)
        }
        return response
    }
}
