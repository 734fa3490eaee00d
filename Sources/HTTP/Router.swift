import Foundation

/// The methods routes may declare.
public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", options = "OPTIONS"
}

/// A matched request: the request and its path parameters.
public struct RouteContext: Sendable {
    public var request: HTTPRequest
    public var parameters: [String: String]

    /// A path parameter, or a 400 naming it.
    public func parameter(_ name: String) throws(HTTPResponseError) -> String {
        guard let value = parameters[name] else { throw HTTPResponseError(.error(400, "missing path parameter \(name)")) }
        return value
    }
}

/// A response thrown by a handler (a 400 naming a field, a 404, ...).
public struct HTTPResponseError: Error, Sendable {
    public var response: HTTPResponse
    public init(_ response: HTTPResponse) { self.response = response }
}

/// Routes with path parameters (`/api/v1/users/:id`), 404 for unknown paths, 405 with `Allow` for
/// known paths and other methods, HEAD from GET, OPTIONS with `Allow`, weak ETags on GET.
public struct Router: Sendable {
    public typealias Handler = @Sendable (RouteContext) throws -> HTTPResponse

    public struct Route: Sendable {
        public let method: HTTPMethod
        public let pattern: String
        let segments: [Segment]
        /// The largest body this route accepts (413 above it).
        public let bodyLimit: Int
        let handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public private(set) var routes: [Route] = []
    /// Called by the server on each event loop's thread once it has answered one batch of ready
    /// connections (one `epoll_wait`), so handlers may keep per-thread state for the length of a
    /// batch: the core keeps one read transaction open across the reads of a batch.
    public var batchEnded: (@Sendable () -> Void)?
    /// Routes without parameters by their path, and routes with parameters by their number of
    /// segments (indexes into `routes`, in the order declared): a request looks at the few that
    /// could match, not at every route.
    private var literal: [String: [Int]] = [:]
    private var parameterised: [Int: [Int]] = [:]

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int = 16_384, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
        let index = routes.count
        routes.append(Route(method: method, pattern: pattern, segments: segments, bodyLimit: bodyLimit, handler: handler))
        let texts = segments.compactMap { if case let .literal(text) = $0 { text } else { nil } }
        if texts.count == segments.count {
            literal["/" + texts.joined(separator: "/"), default: []].append(index)
        } else {
            parameterised[segments.count, default: []].append(index)
        }
    }

    /// The routes whose pattern matches `path` (indexes into `routes`), with their parameters,
    /// in the order declared.
    func matches(_ path: String) -> [(route: Int, parameters: [String: String])] {
        // Segments counted on the bytes first: most requests hit a literal path, and need no split.
        let slash = UInt8(ascii: "/")
        var segmentCount = 0
        var slashes = 0
        var afterSlash = true
        for byte in path.utf8 {
            if byte == slash {
                slashes += 1
                afterSlash = true
            } else {
                if afterSlash { segmentCount += 1 }
                afterSlash = false
            }
        }
        var candidates = parameterised[segmentCount] ?? []
        // Empty segments do not count (`/a//b/` is `/a/b`), as in the patterns.
        let clean = segmentCount == slashes
        if clean, candidates.isEmpty { return literal[path]?.map { ($0, [:]) } ?? [] }
        if !candidates.isEmpty {
            // Those whose first segment is another word cannot match: looked at before any split.
            let bytes = path.utf8
            let firstStart = bytes.firstIndex { $0 != slash } ?? bytes.endIndex
            let first = bytes[firstStart..<(bytes[firstStart...].firstIndex(of: slash) ?? bytes.endIndex)]
            candidates.removeAll { index in
                guard case let .literal(text) = routes[index].segments[0] else { return false }
                return !Self.same(text, first)
            }
        }
        let parts = clean && candidates.isEmpty ? [] : path.utf8.split(separator: slash)
        let key = clean ? path : "/" + parts.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        var found: [(Int, [String: String])] = (literal[key] ?? []).map { ($0, [:]) }
        for index in candidates {
            var parameters: [String: String] = [:]
            var matched = true
            for (segment, part) in zip(routes[index].segments, parts) {
                switch segment {
                case let .literal(text): if !Self.same(text, part) { matched = false }
                case let .parameter(name): parameters[name] = String(decoding: part, as: UTF8.self)
                }
                if !matched { break }
            }
            if matched { found.append((index, parameters)) }
        }
        if found.count > 1 { found.sort { $0.0 < $1.0 } }
        return found
    }

    /// Whether a pattern's word is a path's segment: lengths first, then the bytes.
    static func same(_ text: String, _ part: Substring.UTF8View) -> Bool {
        guard text.utf8.count == part.count else { return false }
        guard !part.isEmpty else { return true }
        var text = text
        return text.withUTF8 { word in
            part.withContiguousStorageIfAvailable { segment in memcmp(word.baseAddress!, segment.baseAddress!, word.count) == 0 } ?? word.elementsEqual(part)
        }
    }

    /// The largest body any route for this path takes (the decoder's limit for the request).
    public func bodyLimit(method: String, path: String) -> Int {
        matches(path).lazy.map { routes[$0.route] }.filter { $0.method.rawValue == method }.map(\.bodyLimit).max() ?? 0
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let found = matches(request.path)
        guard !found.isEmpty else { return .error(404, "no such resource: \(request.path)") }
        var allow: String {
            var allowed = Set(found.map { routes[$0.route].method })
            if allowed.contains(.get) { allowed.insert(.head) }
            allowed.insert(.options)
            return HTTPMethod.allCases.filter { allowed.contains($0) }.map(\.rawValue).joined(separator: ", ")
        }
        if request.method == "OPTIONS" {
            return HTTPResponse(status: 204, headers: [("Allow", allow)])
        }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let (index, parameters) = found.first(where: { routes[$0.route].method.rawValue == method }) else {
            var response = HTTPResponse.error(405, "\(request.method) is not allowed here")
            response.headers.append(("Allow", allow))
            return response
        }
        guard request.body.count <= routes[index].bodyLimit else { return .error(413, "the body is larger than \(routes[index].bodyLimit) bytes") }
        var response: HTTPResponse
        do {
            response = try routes[index].handler(RouteContext(request: request, parameters: parameters))
        } catch let error as HTTPResponseError {
            response = error.response
        } catch {
            response = .error(500, "internal error")
        }
        if method == "GET", response.status == 200, response.deferred == nil {
            let tag = "W/\"\(Self.fnv1a(response.body))\""
            response.headers.append(("ETag", tag))
            if request.header("if-none-match")?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: " ") == tag }) == true {
                return HTTPResponse(status: 304, headers: [("ETag", tag)])
            }
        }
        return response
    }

    /// FNV-1a 64: a cheap content hash for weak ETags (not a security boundary).
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(hash, radix: 16)
    }
}

/// JSON request bodies, strictly: malformed JSON, a wrong type, a missing field and an unknown
/// field each answer 400 with a message naming the field.
public enum JSONBody {
    public static func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest, allowedFields: Set<String>) throws(HTTPResponseError) -> T {
        if let contentType = request.header("content-type"), !contentType.lowercased().hasPrefix("application/json") {
            throw HTTPResponseError(.error(415, "expected Content-Type: application/json"))
        }
        let data = Data(request.body)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HTTPResponseError(.error(400, "the body is not a JSON object"))
        }
        if let unknown = object.keys.sorted().first(where: { !allowedFields.contains($0) }) {
            throw HTTPResponseError(.error(400, "unknown field \"\(unknown)\" (allowed: \(allowedFields.sorted().joined(separator: ", ")))"))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPResponseError(.error(400, "missing field \"\(path(context.codingPath + [key]))\""))
        } catch let DecodingError.typeMismatch(expected, context) {
            throw HTTPResponseError(.error(400, "field \"\(path(context.codingPath))\" must be \(describe(expected))"))
        } catch let DecodingError.valueNotFound(expected, context) {
            throw HTTPResponseError(.error(400, "field \"\(path(context.codingPath))\" must be \(describe(expected)), not null"))
        } catch let DecodingError.dataCorrupted(context) {
            throw HTTPResponseError(.error(400, context.codingPath.isEmpty ? "the body is not valid JSON" : "field \"\(path(context.codingPath))\": \(context.debugDescription)"))
        } catch {
            throw HTTPResponseError(.error(400, "the body could not be read"))
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
