import HTTP
import Testing

/// Decodes `text` (with \r\n written out) as one request.
func decode(_ text: String, limits: HTTPLimits = HTTPLimits()) throws(HTTPParseError) -> HTTPRequest? {
    var decoder = HTTPRequestDecoder(limits: limits)
    decoder.append(Array(text.utf8))
    return try decoder.next()
}

/// The error `text` gets.
func refusal(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
    do {
        _ = try decode(text, limits: limits)
        return nil
    } catch {
        return error
    }
}

@Suite struct HTTPRequestDecoderTests {
    @Test func decodesAGetWithHeadersAndKeepsAlive() throws {
        let request = try #require(
            try decode("GET /api/v1/users?page=2 HTTP/1.1\r\nHost: core\r\nAccept: application/json\r\n\r\n"))
        #expect(request.method == "GET" && request.path == "/api/v1/users" && request.query == "page=2")
        #expect(request.header("host") == "core" && request.header("accept") == "application/json")
        #expect(request.keepAlive && request.minorVersion == 1 && request.body.isEmpty)
    }

    @Test func decodesAContentLengthBody() throws {
        let request = try #require(try decode("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"))
        #expect(request.body == Array("hello".utf8))
    }

    @Test func decodesAChunkedBodyWithExtensionsAndTrailers() throws {
        let request = try #require(
            try decode(
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
            ))
        #expect(request.body == Array("hello world".utf8))
    }

    @Test func waitsForMoreBytesAndTakesPipelinedRequestsOneAtATime() throws {
        let two = Array(
            "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8)
        var decoder = HTTPRequestDecoder()
        decoder.append(two.prefix(10))
        #expect(try decoder.next() == nil)
        decoder.append(two.dropFirst(10))
        #expect(try decoder.next()?.path == "/a")
        let second = try #require(try decoder.next())
        #expect(second.path == "/b" && !second.keepAlive)
        #expect(try decoder.next() == nil && decoder.bufferedCount == 0)
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() throws {
        #expect(try decode("GET / HTTP/1.0\r\n\r\n")?.keepAlive == false)
        #expect(try decode("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")?.keepAlive == true)
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        #expect(try decode("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")?.path == "/")
    }

    @Test func aFailedDecoderStaysFailed() {
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try decoder.next() }
        decoder.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.self) { try decoder.next() }
    }
}

/// One test per framing rule, named after it.
@Suite struct HTTPFramingRuleTests {
    @Test func rejectsContentLengthWithTransferEncoding() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                == HTTPParseError(status: 400, rule: "content-length-with-transfer-encoding"))
    }

    @Test func rejectsDuplicateContentLength() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")?.rule
                == "duplicate-content-length")
    }

    @Test func rejectsSignedContentLength() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc")?.rule == "invalid-content-length")
        #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")?.rule == "invalid-content-length")
    }

    @Test func rejectsContentLengthLists() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc")?.rule == "invalid-content-length")
    }

    @Test func rejectsOverflowingContentLength() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n")?.rule
                == "content-length-overflow")
    }

    @Test func rejectsTransferCodingsOtherThanChunked() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
                == HTTPParseError(status: 501, rule: "unsupported-transfer-coding"))
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n")?
                .status == 501)
    }

    @Test func rejectsTransferEncodingInHTTP10() {
        #expect(
            refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")?.rule
                == "transfer-encoding-in-http-1.0")
    }

    @Test func rejectsObsFold() {
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n")?.rule == "obs-fold")
    }

    @Test func rejectsWhitespaceBeforeTheColon() {
        #expect(refusal("GET / HTTP/1.1\r\nHost : a\r\n\r\n")?.rule == "whitespace-before-colon")
    }

    @Test func rejectsBareCR() {
        #expect(refusal("GET / HTTP/1.1\rHost: a\r\n\r\n")?.rule == "bare-cr")
    }

    @Test func rejectsBareLF() {
        #expect(refusal("GET / HTTP/1.1\nHost: a\n\n")?.rule == "bare-lf")
    }

    @Test func rejectsNUL() {
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\u{0}b\r\n\r\n")?.rule == "nul-byte")
    }

    @Test func rejectsHeaderNamesOutsideTchar() {
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n")?.rule == "header-name-not-a-token")
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n")?.rule == "empty-header-name")
    }

    @Test func rejectsControlCharactersInValues() {
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\u{1}\r\n\r\n")?.rule == "invalid-header-value")
    }

    @Test func rejectsHTTP11WithoutHost() {
        #expect(refusal("GET / HTTP/1.1\r\n\r\n")?.rule == "missing-host")
        #expect(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")?.rule == "duplicate-host")
    }

    @Test func rejectsUnsupportedVersions() {
        #expect(refusal("GET / HTTP/2.0\r\nHost: a\r\n\r\n")?.status == 505)
        #expect(refusal("GET / HTTP/1.1x\r\nHost: a\r\n\r\n")?.rule == "malformed-version")
    }

    @Test func rejectsMalformedRequestLines() {
        #expect(refusal("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")?.rule == "malformed-request-line")
        #expect(refusal("G@T / HTTP/1.1\r\nHost: a\r\n\r\n")?.rule == "method-not-a-token")
        #expect(refusal("GET /é HTTP/1.1\r\nHost: a\r\n\r\n")?.rule == "invalid-target-character")
    }

    @Test func rejectsBadChunks() {
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.rule
                == "invalid-chunk-size")
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n")?.rule
                == "chunk-size-overflow")
        #expect(
            refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n")?.rule
                == "chunk-without-crlf")
    }
}

@Suite struct HTTPLimitTests {
    @Test func requestLineTooLongIs414EvenBeforeItEnds() {
        var limits = HTTPLimits()
        limits.requestLineBytes = 64
        #expect(refusal("GET /" + String(repeating: "a", count: 100), limits: limits)?.status == 414)
        #expect(
            refusal("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits)?
                .status == 414)
    }

    @Test func headerBlockTooLargeIs431() {
        var limits = HTTPLimits()
        limits.headerBytes = 100
        #expect(
            refusal("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 200), limits: limits)?.status
                == 431)
    }

    @Test func tooManyHeaderFieldsIs431() {
        var limits = HTTPLimits()
        limits.headerCount = 3
        #expect(
            refusal("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits)
                == HTTPParseError(status: 431, rule: "too-many-header-fields"))
    }

    @Test func bodyTooLargeIs413ForBothFramings() {
        var limits = HTTPLimits()
        limits.bodyBytes = 4
        #expect(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", limits: limits)?.status == 413)
        #expect(
            refusal(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
                limits: limits)?.status == 413)
    }
}

@Suite struct HTTPDecoderBufferTests {
    /// The head is complete once an empty line ends it, however the bytes were split.
    @Test func theHeadIsCompleteAtTheEmptyLineWhereverTheBytesSplit() throws {
        let text = Array("GET /a HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        for split in 0...text.count {
            var decoder = HTTPRequestDecoder()
            text[..<split].withUnsafeBytes { decoder.append($0) }
            #expect(decoder.hasCompleteHead == (split == text.count))
            text[split...].withUnsafeBytes { decoder.append($0) }
            #expect(decoder.hasCompleteHead)
            #expect(try decoder.next()?.path == "/a")
        }
        var decoder = HTTPRequestDecoder()
        decoder.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r".utf8))
        #expect(!decoder.hasCompleteHead)  // CR LF CR is not the end yet
    }
}

@Suite struct HTTPPathTests {
    @Test(arguments: [
        ("/a/b", "/a/b"), ("/a/./b", "/a/b"), ("/a/../b", "/b"), ("/a/b/..", "/a"), ("/%61%62", "/ab"),
        ("/caf%C3%A9", "/café"),
        ("/a%20b", "/a b"), ("/", "/"), ("/a/", "/a/"), ("/a/.", "/a"), ("/a/b/../", "/a/"),
        // Dots that are not a whole segment are ordinary characters.
        ("/a/.../b", "/a/.../b"), ("/a/.b/c.", "/a/.b/c."), ("/a/..b", "/a/..b"), ("/.well-known/x", "/.well-known/x"),
    ])
    func pathsAreDecodedOnceAndNormalised(target: String, path: String) throws {
        #expect(try decode("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n")?.path == path)
    }

    @Test func decodingHappensOnlyOnce() throws {
        #expect(try decode("GET /%252F HTTP/1.1\r\nHost: a\r\n\r\n")?.path == "/%2F")
    }

    @Test(arguments: [
        ("/a%2Fb", "encoded-slash-in-path"), ("/a%2fb", "encoded-slash-in-path"), ("/a%00b", "encoded-nul-in-path"),
        ("/a\\b", "backslash-in-path"), ("/a%5Cb", "backslash-in-path"), ("/..", "dot-segments-above-root"),
        ("/a/../../etc", "dot-segments-above-root"), ("/%2e%2e", "dot-segments-above-root"),
        ("/%zz", "invalid-percent-encoding"),
        ("/%4", "invalid-percent-encoding"), ("/a#frag", "fragment-in-target"), ("http://evil/a", "not-origin-form"),
        ("/%FF", "path-not-utf8"), ("/%0a", "encoded-control-in-path"), ("*", "asterisk-target"),
    ])
    func unsafePathsAreRefused(target: String, rule: String) {
        #expect(refusal("GET \(target) HTTP/1.1\r\nHost: a\r\n\r\n") == HTTPParseError(status: 400, rule: rule))
    }

    @Test func asteriskIsForOptionsOnly() throws {
        #expect(try decode("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")?.path == "*")
    }
}
