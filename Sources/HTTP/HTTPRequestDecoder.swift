#if canImport(Glibc)
import Glibc
#endif

/// A strict, incremental HTTP/1.1 request decoder (RFC 9112), one request at a time.
///
/// Feed bytes with `append`, take complete requests with `next()`. Anything ambiguous — the kind
/// of input request smuggling and cache poisoning are made of — is refused with a status and the
/// name of the rule, and the decoder stays failed: the connection must close.
public struct HTTPRequestDecoder: Sendable {
    public let limits: HTTPLimits
    /// The largest body for a method and path (a route's own limit), replacing `limits.bodyBytes`
    /// when it answers more than 0. Asked once the header block is in, before any body is kept.
    public let bodyLimit: (@Sendable (_ method: String, _ path: String) -> Int)?
    private var buffer: [UInt8] = []
    private var failure: HTTPParseError?

    public init(
        limits: HTTPLimits = HTTPLimits(), bodyLimit: (@Sendable (_ method: String, _ path: String) -> Int)? = nil
    ) {
        self.limits = limits
        self.bodyLimit = bodyLimit
    }

    /// Bytes received and not yet part of a returned request.
    public var bufferedCount: Int { buffer.count }

    /// True when the buffered bytes hold a whole header block (the header deadline is met).
    public var hasCompleteHead: Bool {
        buffer.withUnsafeBufferPointer { bytes in
            // Each LF (found by memchr) that has CR before it and CR LF after it.
            var from = 1
            while from + 2 < bytes.count,
                let found = memchr(bytes.baseAddress! + from, Int32(Self.lf), bytes.count - from)
            {
                let at = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if at + 2 < bytes.count, bytes[at - 1] == Self.cr, bytes[at + 1] == Self.cr, bytes[at + 2] == Self.lf {
                    return true
                }
                from = at + 1
            }
            return false
        }
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The same for bytes in memory (a socket's read): copied in one go, not byte by byte.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    /// The next complete request, nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            let parsed = try buffer.withUnsafeBufferPointer { bytes throws(HTTPParseError) in
                try Self.parse(bytes, limits: limits, bodyLimit: bodyLimit)
            }
            guard let (request, consumed) = parsed else { return nil }
            buffer.removeFirst(consumed)
            return request
        } catch {
            failure = error
            throw error
        }
    }

    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9

    /// tchar (RFC 9110 §5.6.2), as a table indexed by byte.
    static let tokenCharacters: [Bool] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    static func isTokenCharacter(_ byte: UInt8) -> Bool { tokenCharacters[Int(byte)] }

    /// The bytes being decoded: the buffer, read through a pointer (no bounds check or
    /// reference count per byte; every index is checked against `count` by the code).
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Finds the next CRLF at or after `start`; a bare CR or LF is an error.
    static func line(in bytes: Bytes, from start: Int) throws(HTTPParseError) -> Range<Int>? {
        var index = start
        // Eight bytes at a time while none of them is below 14 (CR is 13, LF 10, NUL 0).
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count,
                !hasByte(below: 14, UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            { index += 8 }
        }
        while index < bytes.count {
            let byte = bytes[index]
            // Most bytes are above CR: one comparison each.
            if byte > cr {
                index += 1
                continue
            }
            switch byte {
            case lf: throw .bad("bare-lf")
            case cr:
                guard index + 1 < bytes.count else { return nil }
                guard bytes[index + 1] == lf else { throw .bad("bare-cr") }
                return start..<index
            case 0: throw .bad("nul-byte")
            default: index += 1
            }
        }
        return nil
    }

    /// Whether any of the eight bytes of `word` is below `limit` (at most 128): subtracting
    /// `limit` from every byte borrows into a byte's top bit only where it was smaller (a byte
    /// that had its top bit set already is masked out by `~word`). Exact: no byte is missed,
    /// and none is reported that is not there.
    @inline(__always)
    static func hasByte(below limit: UInt8, _ word: UInt64) -> Bool {
        (word &- 0x0101_0101_0101_0101 &* UInt64(limit)) & ~word & 0x8080_8080_8080_8080 != 0
    }

    /// Whether `word` holds the byte `value` anywhere.
    @inline(__always)
    static func hasByte(_ value: UInt8, _ word: UInt64) -> Bool {
        hasByte(below: 1, word ^ 0x0101_0101_0101_0101 &* UInt64(value))
    }

    /// Whether every byte of a field value is allowed: VCHAR, obs-text, SP and HTAB; no other
    /// control character. Eight bytes at a time while none is below SP or DEL.
    static func isFieldValue(_ bytes: Bytes, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        if let base = bytes.baseAddress {
            while index + 8 <= range.upperBound {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if hasByte(below: 0x20, word) || hasByte(0x7F, word) { break }
                index += 8
            }
        }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == tab || (byte >= 0x20 && byte != 0x7F) else { return false }
            index += 1
        }
        return true
    }

    static let methods: [(name: String, bytes: [UInt8])] = HTTPMethod.allCases.map {
        ($0.rawValue, Array($0.rawValue.utf8))
    }

    static func text(_ bytes: Bytes, _ range: Range<Int>) -> String {
        String(decoding: Bytes(rebasing: bytes[range]), as: UTF8.self)
    }

    static func parse(
        _ bytes: Bytes, limits base: HTTPLimits,
        bodyLimit: (@Sendable (String, String) -> Int)? = nil
    ) throws(HTTPParseError) -> (HTTPRequest, Int)? {
        var limits = base
        var cursor = 0
        // Robustness (RFC 9112 §2.2): empty lines before the request line are ignored.
        while cursor + 1 < bytes.count, bytes[cursor] == cr, bytes[cursor + 1] == lf { cursor += 2 }
        guard let requestLine = try line(in: bytes, from: cursor) else {
            if bytes.count - cursor > limits.requestLineBytes {
                throw HTTPParseError(status: 414, rule: "request-line-too-long")
            }
            return nil
        }
        guard requestLine.count <= limits.requestLineBytes else {
            throw HTTPParseError(status: 414, rule: "request-line-too-long")
        }
        let (method, targetRange, minor) = try parseRequestLine(bytes, requestLine)
        cursor = requestLine.upperBound + 2

        // Header fields, and the ones framing depends on as they come.
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(8)
        var hosts = 0
        var length: String?
        var lengths = 0
        var encoding: String?
        var encodings = 0
        var connectionClose = false
        var connectionKeepAlive = false
        let headerStart = cursor
        while true {
            guard let field = try line(in: bytes, from: cursor) else {
                if bytes.count - headerStart > limits.headerBytes {
                    throw HTTPParseError(status: 431, rule: "header-block-too-large")
                }
                return nil
            }
            cursor = field.upperBound + 2
            if cursor - headerStart > limits.headerBytes {
                throw HTTPParseError(status: 431, rule: "header-block-too-large")
            }
            if field.isEmpty { break }
            let (name, value, known) = try parseField(bytes, field)
            headers.append((name, value))
            if headers.count > limits.headerCount { throw HTTPParseError(status: 431, rule: "too-many-header-fields") }
            switch known {
            case .host: hosts += 1
            case .contentLength:
                lengths += 1
                length = value
            case .transferEncoding:
                encodings += 1
                encoding = value
            case .connection:
                for option in value.utf8.split(separator: UInt8(ascii: ",")) {
                    if isOption(option, "close") { connectionClose = true }
                    if isOption(option, "keep-alive") { connectionKeepAlive = true }
                }
            default: break
            }
        }
        let target = text(bytes, targetRange)
        let (path, query) = try normalise(target: target, bytes: Bytes(rebasing: bytes[targetRange]), method: method)
        // The route's own body limit, asked only when a body is announced (most requests have none).
        if let bodyLimit, (length != nil && length != "0") || encodings > 0 {
            let routeLimit = bodyLimit(method == "HEAD" ? "GET" : method, path)
            if routeLimit > 0 { limits.bodyBytes = routeLimit }
        }

        // Framing.
        if minor == 1 && hosts != 1 { throw .bad(hosts == 0 ? "missing-host" : "duplicate-host") }
        if hosts > 1 { throw .bad("duplicate-host") }
        if lengths > 0 && encodings > 0 { throw .bad("content-length-with-transfer-encoding") }
        if lengths > 1 { throw .bad("duplicate-content-length") }
        var contentLength = 0
        if let length {
            guard !length.isEmpty, length.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw .bad("invalid-content-length")
            }
            guard length.utf8.count <= 18, let value = Int(length) else { throw .bad("content-length-overflow") }
            guard value <= limits.bodyBytes else { throw HTTPParseError(status: 413, rule: "body-too-large") }
            contentLength = value
        }
        var chunked = false
        if let encoding {
            guard minor == 1 else { throw .bad("transfer-encoding-in-http-1.0") }
            guard encodings == 1, encoding.lowercased() == "chunked" else {
                throw HTTPParseError(status: 501, rule: "unsupported-transfer-coding")
            }
            chunked = true
        }

        // Body.
        var body: [UInt8] = []
        if chunked {
            guard let (decoded, end) = try parseChunked(bytes, from: cursor, limits: limits) else { return nil }
            body = decoded
            cursor = end
        } else if contentLength > 0 {
            guard bytes.count - cursor >= contentLength else { return nil }
            body = Array(bytes[cursor..<(cursor + contentLength)])
            cursor += contentLength
        }

        let keepAlive = minor == 1 ? !connectionClose : connectionKeepAlive
        let request = HTTPRequest(
            method: method, target: target, path: path, query: query, minorVersion: minor, headers: headers, body: body,
            keepAlive: keepAlive)
        return (request, cursor)
    }

    /// One element of a comma-separated field value, whitespace around it ignored, against a
    /// lower-case name of letters and hyphens, in any case. (`| 0x20` folds only letters here:
    /// the one other byte it maps onto a hyphen is CR, which a field value never holds.)
    static func isOption(_ element: Substring.UTF8View, _ name: String) -> Bool {
        var trimmed = element
        while let first = trimmed.first, first == space || first == tab { trimmed = trimmed.dropFirst() }
        while let last = trimmed.last, last == space || last == tab { trimmed = trimmed.dropLast() }
        return trimmed.elementsEqual(name.utf8) { ($0 | 0x20) == $1 }
    }

    /// The method (a constant string when it is one routes may declare), the target's range
    /// and the minor version.
    static func parseRequestLine(_ bytes: Bytes, _ line: Range<Int>) throws(HTTPParseError) -> (String, Range<Int>, Int)
    {
        // Exactly three parts separated by single spaces.
        guard let firstSpace = bytes[line].firstIndex(of: space),
            let secondSpace = bytes[(firstSpace + 1)..<line.upperBound].firstIndex(of: space),
            bytes[(secondSpace + 1)..<line.upperBound].firstIndex(of: space) == nil
        else { throw .bad("malformed-request-line") }
        let method = Bytes(rebasing: bytes[line.lowerBound..<firstSpace])
        let target = (firstSpace + 1)..<secondSpace
        let version = Bytes(rebasing: bytes[(secondSpace + 1)..<line.upperBound])
        guard !method.isEmpty, !target.isEmpty else { throw .bad("malformed-request-line") }
        guard method.allSatisfy(isTokenCharacter) else { throw .bad("method-not-a-token") }
        // The target: visible ASCII only (RFC 3986 characters); no spaces, controls or raw non-ASCII.
        guard bytes[target].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .bad("invalid-target-character") }
        guard version.count == 8, memcmp(version.baseAddress!, "HTTP/", 5) == 0, version[6] == UInt8(ascii: "."),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(version[5]),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(version[7])
        else {
            throw .bad("malformed-version")
        }
        guard version[5] == UInt8(ascii: "1"), version[7] <= UInt8(ascii: "1") else {
            throw HTTPParseError(status: 505, rule: "version-not-supported")
        }
        let name =
            methods.first { known in
                known.bytes.count == method.count
                    && known.bytes.withUnsafeBufferPointer {
                        memcmp($0.baseAddress!, method.baseAddress!, method.count) == 0
                    }
            }?.name ?? String(decoding: method, as: UTF8.self)
        return (name, target, Int(version[7] - UInt8(ascii: "0")))
    }

    /// A field line: its name lower-cased, its value trimmed, and the known field it is.
    static func parseField(_ bytes: Bytes, _ line: Range<Int>) throws(HTTPParseError) -> (
        name: String, value: String, known: KnownField?
    ) {
        guard !line.isEmpty, bytes[line.lowerBound] != space, bytes[line.lowerBound] != tab else {
            throw .bad("obs-fold")
        }
        guard let colon = bytes[line].firstIndex(of: UInt8(ascii: ":")) else { throw .bad("header-without-colon") }
        let name = Bytes(rebasing: bytes[line.lowerBound..<colon])
        guard !name.isEmpty else { throw .bad("empty-header-name") }
        if let last = name.last, last == space || last == tab { throw .bad("whitespace-before-colon") }
        guard name.allSatisfy(isTokenCharacter) else { throw .bad("header-name-not-a-token") }
        var start = colon + 1
        var end = line.upperBound
        while start < end, bytes[start] == space || bytes[start] == tab { start += 1 }
        while end > start, bytes[end - 1] == space || bytes[end - 1] == tab { end -= 1 }
        // field-value: VCHAR, obs-text, SP and HTAB; no other control characters.
        guard isFieldValue(bytes, start..<end) else { throw .bad("invalid-header-value") }
        let value = text(bytes, start..<end)
        if let known = KnownField.find(name) { return (known.name, value, known.field) }
        // A token is ASCII: lower-cased byte by byte.
        let lowered = String(unsafeUninitializedCapacity: name.count) { out in
            for index in 0..<name.count {
                let byte = name[index]
                out[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return name.count
        }
        return (lowered, value, nil)
    }

    static func parseChunked(_ bytes: Bytes, from start: Int, limits: HTTPLimits) throws(HTTPParseError) -> (
        [UInt8], Int
    )? {
        var cursor = start
        var body: [UInt8] = []
        while true {
            guard let sizeLine = try line(in: bytes, from: cursor) else { return nil }
            var sizeBytes = bytes[sizeLine]
            if let semicolon = sizeBytes.firstIndex(of: UInt8(ascii: ";")) { sizeBytes = sizeBytes[..<semicolon] }
            guard !sizeBytes.isEmpty, sizeBytes.count <= 8, sizeBytes.allSatisfy({ hexValue($0) != nil }) else {
                throw .bad(sizeBytes.count > 8 ? "chunk-size-overflow" : "invalid-chunk-size")
            }
            let size = sizeBytes.reduce(0) { $0 * 16 + Int(hexValue($1)!) }  // safe: every byte checked as hex
            cursor = sizeLine.upperBound + 2
            if size == 0 {
                // Trailer fields, then the empty line.
                while true {
                    guard let trailer = try line(in: bytes, from: cursor) else { return nil }
                    cursor = trailer.upperBound + 2
                    if trailer.isEmpty { return (body, cursor) }
                    _ = try parseField(bytes, trailer)
                }
            }
            guard body.count + size <= limits.bodyBytes else {
                throw HTTPParseError(status: 413, rule: "body-too-large")
            }
            guard bytes.count - cursor >= size + 2 else { return nil }
            body.append(contentsOf: bytes[cursor..<(cursor + size)])
            cursor += size
            guard bytes[cursor] == cr, bytes[cursor + 1] == lf else { throw .bad("chunk-without-crlf") }
            cursor += 2
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
