/// Limits of the request decoder; each has its status code when exceeded.
public struct HTTPLimits: Hashable, Sendable {
    /// 414 URI Too Long.
    public var requestLineBytes = 8_192
    /// 431 Request Header Fields Too Large (the whole header block).
    public var headerBytes = 16_384
    /// 431 as well.
    public var headerCount = 100
    /// 413 Content Too Large; routes may lower it.
    public var bodyBytes = 65_536

    public init() {}
}

/// A request the decoder accepted.
public struct HTTPRequest: Hashable, Sendable {
    public var method: String
    /// The request target as sent.
    public var target: String
    /// The path, percent-decoded once and normalised (no dot segments), always starting with `/`.
    public var path: String
    /// The raw query string after `?`, not decoded.
    public var query: String?
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Header fields in order, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the connection stays open after the response.
    public var keepAlive: Bool
    /// The address of the socket's peer as the server saw it (a proxy, when there is one), set
    /// by the server; empty for a request made inside the process.
    public var peer = ""

    public init(
        method: String, target: String, path: String, query: String?, minorVersion: Int = 1,
        headers: [(name: String, value: String)],
        body: [UInt8] = [], keepAlive: Bool = true
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The first value of header `name` (lower-case).
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.target == b.target && a.path == b.path && a.query == b.query
            && a.minorVersion == b.minorVersion
            && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
            && a.body == b.body && a.keepAlive == b.keepAlive
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(target)
        hasher.combine(body)
    }
}

/// Why a request was refused: the status to answer (always with `Connection: close`) and the rule.
public struct HTTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public let status: Int
    /// A stable name of the rule that was broken (`content-length-with-transfer-encoding`, ...).
    public let rule: String

    public init(status: Int, rule: String) {
        self.status = status
        self.rule = rule
    }

    static func bad(_ rule: String) -> HTTPParseError { HTTPParseError(status: 400, rule: rule) }

    public var description: String { "\(status): \(rule)" }
}
