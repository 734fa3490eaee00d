import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Why a call to the core failed: the server's own message when it answered, else the transport's.
public struct CoreClientError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status, nil when no answer came (refused, timed out, TLS).
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

    public func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }

    /// The body as JSON (an object, an array or a value).
    public func json() throws -> Any {
        do { return try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) } catch {
            throw CoreClientError(
                status: status, message: "the answer is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
    }
}

/// A small synchronous client for the core's JSON API: a bearer token, the server's error
/// message on failure, and no redirects followed with the token. Over URLSession, verifying the
/// core against the system's CAs; with `caFile`, over libcurl verifying against that file only
/// (URLSession on Linux cannot be given one).
public final class CoreClient: Sendable {
    public let baseURL: URL
    public let token: String?
    let session: URLSession
    let curl: CurlTransport?

    public init(baseURL: URL, token: String?, timeoutSeconds: Double = 30, caFile: String? = nil) {
        self.baseURL = baseURL
        self.token = token
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
        curl = caFile.map { CurlTransport(caFile: $0, timeoutSeconds: timeoutSeconds) }
    }

    /// Cancels what is in flight (a long poll at shutdown); the client is not used after.
    public func cancel() {
        session.invalidateAndCancel()
        curl?.cancel()
    }

    /// Sends a request and waits for the answer; non-2xx answers throw with the server's message.
    @discardableResult
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], json: Any? = nil, body: Data? = nil,
        contentType: String? = nil,
        headers: [String: String] = [:], allowing allowed: Set<Int> = []
    ) throws -> CoreResponse {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        else {
            throw CoreClientError(status: nil, message: "\(baseURL) is not a URL")
        }
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw CoreClientError(status: nil, message: "bad path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue(contentType ?? "application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        let response =
            try curl.map { curl throws(CoreClientError) in try curl.perform(request) } ?? viaURLSession(request)
        guard (200..<300).contains(response.status) || allowed.contains(response.status) else {
            let message =
                ((try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any])?["error"] as? String
                ?? String(decoding: response.body.prefix(300), as: UTF8.self)
            throw CoreClientError(status: response.status, message: message)
        }
        return response
    }

    private func viaURLSession(_ request: URLRequest) throws -> CoreResponse {
        let outcome = Mutex<Result<CoreResponse, CoreClientError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            let result: Result<CoreResponse, CoreClientError>
            if let error {
                result = .failure(CoreClientError(status: nil, message: error.localizedDescription))
            } else if let http = response as? HTTPURLResponse {
                var fields: [String: String] = [:]
                for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
                result = .success(CoreResponse(status: http.statusCode, headers: fields, body: data ?? Data()))
            } else {
                result = .failure(CoreClientError(status: nil, message: "no HTTP answer"))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { throw CoreClientError(status: nil, message: "no answer") }
        return try result.get()
    }
}
