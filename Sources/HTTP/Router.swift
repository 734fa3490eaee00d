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
        guard let value = parameters[name] else {
            throw HTTPResponseError(.error(400, "missing path parameter \(name)"))
        }
        return value
    }
}

/// A response thrown by a handler (a 400 naming a field, a 404, ...).
public struct HTTPResponseError: Error, Sendable {
    public var response: HTTPResponse
    public init(_ response: HTTPResponse) { self.response = response }
}

/// Routes with path parameters (`/api/v1/users/:id`; a literal segment wins over a parameter), 404
/// for unknown paths, 405 with `Allow` for known paths and other methods, HEAD from GET, OPTIONS
/// with `Allow`, weak ETags on GET.
public struct Router: Sendable {
    public typealias Handler = @Sendable (RouteContext) throws -> HTTPResponse

    public struct Route: Sendable {
        public let method: HTTPMethod
        public let pattern: String
        let segments: [Segment]
        let hasParameters: Bool
        /// The largest body this route accepts (413 above it).
        public let bodyLimit: Int
        let handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)

        var isParameter: Bool { if case .parameter = self { true } else { false } }
    }

    public private(set) var routes: [Route] = []
    /// Called by the server on each event loop's thread once it has answered one batch of ready
    /// connections (one `epoll_wait`), so handlers may keep per-thread state for the length of a
    /// batch: the core keeps one read transaction open across the reads of a batch.
    public var batchEnded: (@Sendable () -> Void)?
    /// Where every answer is counted by route, method and status, and timed (see `count(into:)`).
    public private(set) var metrics: RequestMetrics?
    /// The patterns as a tree of segments (indexes into `routes` where a pattern ends): a request
    /// walks its path's segments once, looking each up among the words that follow, instead of
    /// trying every route. The nodes are values in one array (the root first), so copies of a
    /// router share them until one adds a route, and reading them costs no reference counting
    /// or exclusivity check.
    private var nodes = [Node()]

    /// One segment of the tree: the words that may follow, the parameter that may follow (any
    /// word), and the routes whose pattern ends here.
    struct Node: Sendable {
        /// The words that may follow: their lengths, their bytes one after another, and their
        /// nodes (indexes into `nodes`), in the same order. A request's segment is compared
        /// where it lies in the path, by length first, then with `memcmp` (no string is made).
        var wordLengths: [Int] = []
        var wordBytes: [UInt8] = []
        var wordNodes: [Int] = []
        var parameter: Int?
        var routes: [Int] = []

        /// The node that follows for the bytes of a segment.
        func child(_ segment: UnsafeBufferPointer<UInt8>) -> Int? {
            wordBytes.withUnsafeBufferPointer { bytes in
                var offset = 0
                for index in 0..<wordLengths.count {
                    let length = wordLengths[index]
                    if length == segment.count, memcmp(bytes.baseAddress! + offset, segment.baseAddress!, length) == 0 {
                        return wordNodes[index]
                    }
                    offset += length
                }
                return nil
            }
        }
    }

    /// The node that follows `node` for `word`, made when missing.
    private mutating func child(of node: Int, _ word: [UInt8]) -> Int {
        if let found = word.withUnsafeBufferPointer({ nodes[node].child($0) }) { return found }
        nodes.append(Node())
        nodes[node].wordLengths.append(word.count)
        nodes[node].wordBytes.append(contentsOf: word)
        nodes[node].wordNodes.append(nodes.count - 1)
        return nodes.count - 1
    }

    /// What answers a path no route matches (nil: a JSON 404): the web UI answers browsers with
    /// a page there, and everything else with the JSON 404.
    public var unmatched: Handler?

    public init() {}

    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, bodyLimit: Int = 16_384, _ handler: @escaping Handler
    ) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { part -> Segment in
            part.hasPrefix(":") ? .parameter(String(part.dropFirst())) : .literal(String(part))
        }
        let index = routes.count
        routes.append(
            Route(
                method: method, pattern: pattern, segments: segments,
                hasParameters: segments.contains(where: \.isParameter),
                bodyLimit: bodyLimit, handler: handler))
        var node = 0
        for segment in segments {
            switch segment {
            case let .literal(word):
                node = child(of: node, Array(word.utf8))
            case .parameter:
                if nodes[node].parameter == nil {
                    nodes.append(Node())
                    nodes[node].parameter = nodes.count - 1
                }
                node = nodes[node].parameter!  // safe: set just before
            }
        }
        nodes[node].routes.append(index)
    }

    /// The routes whose pattern matches `path` (indexes into `routes`), with their parameters,
    /// in the order declared. Empty segments do not count (`/a//b/` is `/a/b`), as in the patterns.
    func matches(_ path: String) -> [(route: Int, parameters: [String: String])] {
        var found: [Int] = []
        var path = path
        nodes.withUnsafeBufferPointer { nodes in path.withUTF8 { Self.walk(nodes, 0, $0, from: 0, &found) } }
        if found.count > 1 { found.sort() }
        guard found.contains(where: { routes[$0].hasParameters }) else {
            return found.map { ($0, [:]) }
        }
        let parts = path.utf8.split(separator: UInt8(ascii: "/"))
        return found.map { index in
            var parameters: [String: String] = [:]
            for case let (.parameter(name), part) in zip(routes[index].segments, parts) {
                parameters[name] = String(decoding: part, as: UTF8.self)
            }
            return (index, parameters)
        }
    }

    /// Follows a path from `node`, from byte `start` on: a segment by its word, and as a parameter.
    private static func walk(
        _ nodes: UnsafeBufferPointer<Node>, _ node: Int, _ path: UnsafeBufferPointer<UInt8>, from start: Int,
        _ found: inout [Int]
    ) {
        let slash = UInt8(ascii: "/")
        var begin = start
        while begin < path.count, path[begin] == slash { begin += 1 }
        guard begin < path.count else {
            found.append(contentsOf: nodes[node].routes)
            return
        }
        var end = begin
        while end < path.count, path[end] != slash { end += 1 }
        // A word beats a parameter: `/users/import` is that route, never `/users/:id` with id "import".
        let before = found.count
        if let next = nodes[node].child(UnsafeBufferPointer(rebasing: path[begin..<end])) {
            walk(nodes, next, path, from: end, &found)
        }
        if found.count == before, let next = nodes[node].parameter { walk(nodes, next, path, from: end, &found) }
    }

    /// The largest body any route for this path takes (the decoder's limit for the request).
    public func bodyLimit(method: String, path: String) -> Int {
        matches(path).lazy.map { routes[$0.route] }.filter { $0.method.rawValue == method }.map(\.bodyLimit).max() ?? 0
    }

    /// Counts and times every answer from now on in `metrics`, labelled with the pattern of its
    /// route: call it once every route is added.
    public mutating func count(into metrics: RequestMetrics) {
        metrics.name(routes.map(\.pattern))
        self.metrics = metrics
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let started = metrics == nil ? 0 : RequestMetrics.now()
        let (response, route, method) = answer(request)
        guard let metrics else { return response }
        guard let deferred = response.deferred else {
            metrics.record(
                route: route, method: method, status: response.status, nanoseconds: RequestMetrics.now() - started)
            return response
        }
        // A long poll counts once answered, with the time it waited.
        deferred.whenComplete { answer in
            metrics.record(
                route: route, method: method, status: answer.status, nanoseconds: RequestMetrics.now() - started)
        }
        return response
    }

    /// The answer, the index of the route whose pattern the path matched (nil: none did) and the
    /// request's method (nil: one no route may declare).
    @inline(__always)
    private func answer(_ request: HTTPRequest) -> (response: HTTPResponse, route: Int?, method: HTTPMethod?) {
        let found = matches(request.path)
        guard let first = found.first else {
            let fallback = unmatched.flatMap { try? $0(RouteContext(request: request, parameters: [:])) }
            return (
                fallback ?? .error(404, "no such resource: \(request.path)"), nil, HTTPMethod(rawValue: request.method)
            )
        }
        var allow: String {
            var allowed = Set(found.map { routes[$0.route].method })
            if allowed.contains(.get) { allowed.insert(.head) }
            allowed.insert(.options)
            return HTTPMethod.allCases.filter { allowed.contains($0) }.map(\.rawValue).joined(separator: ", ")
        }
        if request.method == "OPTIONS" {
            return (HTTPResponse(status: 204, headers: [("Allow", allow)]), first.route, .options)
        }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let (index, parameters) = found.first(where: { routes[$0.route].method.rawValue == method }) else {
            var response = HTTPResponse.error(405, "\(request.method) is not allowed here")
            response.headers.append(("Allow", allow))
            return (response, first.route, HTTPMethod(rawValue: request.method))
        }
        let declared = request.method == "HEAD" ? HTTPMethod.head : routes[index].method
        guard request.body.count <= routes[index].bodyLimit else {
            return (.error(413, "the body is larger than \(routes[index].bodyLimit) bytes"), index, declared)
        }
        var response: HTTPResponse
        do {
            response = try routes[index].handler(RouteContext(request: request, parameters: parameters))
        } catch let error as HTTPResponseError {
            response = error.response
        } catch {
            response = .error(500, "internal error")
        }
        if method == "GET", response.status == 200, response.deferred == nil {
            let tag = Self.weakTag(Self.contentHash(response.body))
            response.headers.append(("ETag", tag))
            if request.header("if-none-match")?.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: " ") == tag
            }) == true {
                return (HTTPResponse(status: 304, headers: [("ETag", tag)]), index, declared)
            }
        }
        return (response, index, declared)
    }

    /// `W/"…"` with the hash as eleven base64url digits, most significant first: fifteen bytes,
    /// which Swift keeps inside the string value (no allocation, unlike sixteen hex digits).
    static func weakTag(_ hash: UInt64) -> String {
        String(unsafeUninitializedCapacity: 15) { out in
            out[0] = UInt8(ascii: "W")
            out[1] = UInt8(ascii: "/")
            out[2] = UInt8(ascii: "\"")
            for index in 0..<11 {
                out[13 - index] = tagDigits[Int(truncatingIfNeeded: hash >> (6 * UInt64(index)) & 0x3F)]
            }
            out[14] = UInt8(ascii: "\"")
            return 15
        }
    }

    static let tagDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A cheap 64-bit content hash for weak ETags (not a security boundary): eight bytes a step
    /// (a byte at a time was a chain of multiplications as long as the body, about 5 % of a
    /// small signed-in request), each word mixed in by a multiplication and a shift, the length
    /// and a final avalanche so that bodies differing anywhere differ in every bit's odds.
    static func contentHash(_ bytes: [UInt8]) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(bytes.count)
        func mix(_ word: UInt64) {
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 29
        }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            var tail: UInt64 = 0
            for index in offset..<raw.count { tail |= UInt64(raw[index]) << (8 * UInt64(index - offset)) }
            if offset < raw.count { mix(tail) }
        }
        // A final avalanche (MurmurHash3's fmix64).
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 33)
    }
}

/// JSON request bodies, strictly: malformed JSON, a wrong type, a missing field, an unknown
/// field and a null where none is allowed each answer 400 with a message naming the field.
public enum JSONBody {
    public static func decode<T: Decodable>(
        _ type: T.Type, from request: HTTPRequest, allowedFields: Set<String>, nullableFields: Set<String> = []
    ) throws(HTTPResponseError) -> T {
        if let contentType = request.header("content-type"), !contentType.lowercased().hasPrefix("application/json") {
            throw HTTPResponseError(.error(415, "expected Content-Type: application/json"))
        }
        let data = Data(request.body)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HTTPResponseError(.error(400, "the body is not a JSON object"))
        }
        if let unknown = object.keys.sorted().first(where: { !allowedFields.contains($0) }) {
            throw HTTPResponseError(
                .error(400, "unknown field \"\(unknown)\" (allowed: \(allowedFields.sorted().joined(separator: ", ")))")
            )
        }
        // An optional field is given or left out; null is not a third way to leave it out.
        if let null = object.keys.sorted().first(where: { object[$0] is NSNull && !nullableFields.contains($0) }) {
            throw HTTPResponseError(.error(400, "field \"\(null)\" must not be null (leave it out instead)"))
        }
        // Inside a list or an object no null is a value either.
        func holdsNull(_ value: Any) -> Bool {
            switch value {
            case is NSNull: true
            case let list as [Any]: list.contains(where: holdsNull)
            case let object as [String: Any]: object.values.contains(where: holdsNull)
            default: false
            }
        }
        if let nested = object.keys.sorted().first(where: { !(object[$0] is NSNull) && holdsNull(object[$0] as Any) }) {
            throw HTTPResponseError(.error(400, "field \"\(nested)\" must not hold null (leave such a value out)"))
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw HTTPResponseError(.error(400, "missing field \"\(path(context.codingPath + [key]))\""))
        } catch let DecodingError.typeMismatch(expected, context) {
            throw HTTPResponseError(.error(400, "field \"\(path(context.codingPath))\" must be \(describe(expected))"))
        } catch let DecodingError.valueNotFound(expected, context) {
            throw HTTPResponseError(
                .error(400, "field \"\(path(context.codingPath))\" must be \(describe(expected)), not null"))
        } catch let DecodingError.dataCorrupted(context) {
            throw HTTPResponseError(
                .error(
                    400,
                    context.codingPath.isEmpty
                        ? "the body is not valid JSON"
                        : "field \"\(path(context.codingPath))\": \(context.debugDescription)"))
        } catch {
            throw HTTPResponseError(.error(400, "the body could not be read"))
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(
            of: ".[", with: "[")
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
