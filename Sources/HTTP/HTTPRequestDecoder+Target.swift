/// The request target: origin-form only, percent-decoded once, dot segments resolved.
extension HTTPRequestDecoder {
    /// One pass over a target's bytes: where its query begins (its first `?`, else its end),
    /// whether it has a fragment (`#`, anywhere), and whether its path (before the query) is
    /// plain: no percent sign, no backslash and no segment that is `.` or `..`.
    static func survey(_ target: Bytes) -> (mark: Int, fragment: Bool, plain: Bool) {
        var mark = target.count
        var plain = true
        var length = 0
        var dotsOnly = true
        var index = 0
        while index < target.count {
            let byte = target[index]
            if byte == UInt8(ascii: "#") { return (mark, true, plain) }
            if mark == target.count {
                switch byte {
                case UInt8(ascii: "?"):
                    mark = index
                    if dotsOnly && (length == 1 || length == 2) { plain = false }
                case UInt8(ascii: "/"):
                    if dotsOnly && (length == 1 || length == 2) { plain = false }
                    length = 0
                    dotsOnly = true
                case UInt8(ascii: "%"), UInt8(ascii: "\\"):
                    plain = false
                    length += 1
                    dotsOnly = false
                default:
                    length += 1
                    if byte != UInt8(ascii: ".") { dotsOnly = false }
                }
            }
            index += 1
        }
        if mark == target.count, dotsOnly && (length == 1 || length == 2) { plain = false }
        return (mark, false, plain)
    }

    /// Origin-form targets only (and `*` for OPTIONS): decoded once, dot segments resolved,
    /// `%2F`, `%00`, backslashes, fragments and climbing above the root refused.
    /// `target` is the text of `raw`, the target's bytes.
    static func normalise(target: String, bytes raw: Bytes, method: String) throws(HTTPParseError) -> (String, String?)
    {
        if target == "*" {
            guard method == "OPTIONS" else { throw .bad("asterisk-target") }
            return ("*", nil)
        }
        guard raw.first == UInt8(ascii: "/") else { throw .bad("not-origin-form") }
        let (mark, fragment, plain) = survey(raw)
        guard !fragment else { throw .bad("fragment-in-target") }
        let pathPart = raw[..<mark]
        let query = mark < raw.endIndex ? String(decoding: raw[(mark + 1)...], as: UTF8.self) : nil
        // Most paths need no decoding at all: no percent sign, backslash or dot segment. The
        // target is visible ASCII (checked with the request line), so the path is valid UTF-8.
        if plain {
            // Without a query the path is the target itself: the same string.
            return (query == nil ? target : String(decoding: pathPart, as: UTF8.self), query)
        }
        var segments: [[UInt8]] = []
        for segment in pathPart.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            var decoded: [UInt8] = []
            var index = segment.startIndex
            while index < segment.endIndex {
                let byte = segment[index]
                if byte == UInt8(ascii: "\\") { throw .bad("backslash-in-path") }
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < segment.endIndex,
                        let high = hexValue(segment[index + 1]), let low = hexValue(segment[index + 2])
                    else { throw .bad("invalid-percent-encoding") }
                    let value = high << 4 | low
                    switch value {
                    case UInt8(ascii: "/"): throw .bad("encoded-slash-in-path")
                    case 0: throw .bad("encoded-nul-in-path")
                    case UInt8(ascii: "\\"): throw .bad("backslash-in-path")
                    case 0x01...0x1F, 0x7F: throw .bad("encoded-control-in-path")
                    default: decoded.append(value)
                    }
                    index += 3
                } else {
                    decoded.append(byte)
                    index += 1
                }
            }
            switch decoded {
            case Array(".".utf8): continue
            case Array("..".utf8):
                guard !segments.isEmpty else { throw .bad("dot-segments-above-root") }
                segments.removeLast()
            default: segments.append(decoded)
            }
        }
        let joined = [UInt8(ascii: "/")] + Array(segments.joined(separator: [UInt8(ascii: "/")]))
        // Decoded bytes must be UTF-8: a path is text to the router.
        guard let path = String(validating: joined, as: UTF8.self) else { throw .bad("path-not-utf8") }
        return (path, query)
    }
}
