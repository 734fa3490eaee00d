@testable import HTTP
import Testing

func request(_ method: String, _ target: String, body: String = "", headers: [(String, String)] = []) throws
    -> HTTPRequest
{
    var text = "\(method) \(target) HTTP/1.1\r\nHost: core\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
    text += "\r\n" + body
    var decoder = HTTPRequestDecoder()
    decoder.append(Array(text.utf8))
    return try #require(try decoder.next())
}

struct NewBranch: Decodable, Sendable {
    let name: String
    let timeZone: String
    let capacity: Int?
}

@Suite struct RouterTests {
    let router: Router = {
        var router = Router()
        router.add(.get, "/api/v1/branches/:id") { context in
            .json(["id": try context.parameter("id")])
        }
        router.add(.delete, "/api/v1/branches/:id") { _ in HTTPResponse(status: 204) }
        router.add(.post, "/api/v1/branches", bodyLimit: 64) { context in
            let branch = try JSONBody.decode(
                NewBranch.self, from: context.request, allowedFields: ["name", "timeZone", "capacity"])
            return .json(["created": branch.name], status: 201)
        }
        return router
    }()

    @Test func pathParametersReachTheHandler() throws {
        let response = router.respond(to: try request("GET", "/api/v1/branches/7"))
        #expect(response.status == 200 && response.body == Array(#"{"id":"7"}"#.utf8))
        #expect(response.header("ETag")?.hasPrefix("W/\"") == true)
    }

    /// Routes are looked up by path (literal) or by segment count (with parameters); the first
    /// declared for the method still wins, and empty segments count as before.
    @Test func theIndexKeepsTheDeclaredOrderAndTheSegmentRules() throws {
        var router = Router()
        router.add(.get, "/users/:id") { context in .text("user \(try context.parameter("id"))") }
        router.add(.get, "/users/search") { _ in .text("search") }
        router.add(.post, "/users/search") { _ in .text("posted") }
        router.add(.get, "/") { _ in .text("root") }
        router.add(.get, "/users/:id/cards/:card") { context in .text("card \(try context.parameter("card"))") }
        func text(_ method: String, _ path: String) throws -> String {
            String(decoding: router.respond(to: try request(method, path)).body, as: UTF8.self)
        }
        #expect(try text("GET", "/users/search") == "search")  // a word beats a parameter
        router.add(.post, "/users/import") { _ in .text("imported") }
        let other = router.respond(to: try request("GET", "/users/import"))
        #expect(other.status == 405)  // not /users/:id with id "import"
        #expect(other.header("Allow") == "POST, OPTIONS")
        #expect(try text("POST", "/users/search") == "posted")
        #expect(try text("GET", "/users/7/") == "user 7")
        #expect(try text("GET", "/users//7") == "user 7")
        #expect(try text("GET", "/") == "root")
        #expect(try text("GET", "/users/7/cards/12") == "card 12")
        #expect(router.respond(to: try request("GET", "/users/7/cards")).status == 404)
        #expect(
            router.respond(to: try request("DELETE", "/users/search")).header("Allow") == "GET, HEAD, POST, OPTIONS")
    }

    /// The segment tree is shared by copies of a router until one adds a route.
    @Test func aCopyOfARouterThatAddsARouteLeavesTheOriginalAsItWas() throws {
        var original = Router()
        original.add(.get, "/a/:id") { _ in .text("a") }
        var copy = original
        copy.add(.get, "/a/:id/b") { _ in .text("b") }
        copy.add(.get, "/c") { _ in .text("c") }
        #expect(original.respond(to: try request("GET", "/a/1/b")).status == 404)
        #expect(original.respond(to: try request("GET", "/c")).status == 404)
        #expect(copy.respond(to: try request("GET", "/a/1/b")).body == Array("b".utf8))
        #expect(copy.respond(to: try request("GET", "/c")).body == Array("c".utf8))
        #expect(original.respond(to: try request("GET", "/a/1")).body == Array("a".utf8))
    }

    /// ETags change with any byte of the body, in a whole word or in the tail, and with its length.
    @Test func theContentHashSeesEveryByteAndTheLength() {
        let body = Array("{\"id\":1,\"name\":\"Ana\",\"active\":true}".utf8)
        var hashes: Set<UInt64> = [
            Router.contentHash(body), Router.contentHash([]), Router.contentHash(body + [0]),
            Router.contentHash(body + [0, 0]),
        ]
        for index in body.indices {
            var changed = body
            changed[index] ^= 1
            hashes.insert(Router.contentHash(changed))
        }
        #expect(hashes.count == body.count + 4)
        #expect(Router.contentHash(body) == Router.contentHash(Array(body)))
    }

    /// The ETag is the hash in eleven base64url digits (distinct hashes, distinct tags), and the
    /// Content-Length is written digit by digit as the standard library writes it.
    @Test func tagsAndLengthsAreWrittenDigitByDigit() {
        var values: [UInt64] = [0, 1, 9, 10, 15, 16, 63, 64, 255, 256, UInt64(Int.max), .max]
        for shift in 0..<64 { values += [1 << UInt64(shift), (1 << UInt64(shift)) &- 1] }
        var tags: Set<String> = []
        for value in values {
            let tag = Router.weakTag(value)
            #expect(tag.utf8.count == 15 && tag.hasPrefix("W/\"") && tag.hasSuffix("\""))
            // Read back, the digits give the hash.
            let digits = tag.utf8.dropFirst(3).dropLast()
            #expect(digits.reduce(UInt64(0)) { $0 << 6 | UInt64(Router.tagDigits.firstIndex(of: $1)!) } == value)
            tags.insert(tag)
            guard value <= UInt64(Int.max) else { continue }
            var bytes = Array("x".utf8)
            HTTPResponse.appendDecimal(Int(value), to: &bytes)
            #expect(bytes == Array("x\(value)".utf8))
        }
        #expect(tags.count == Set(values).count)
    }

    @Test func unknownPathsAre404() throws {
        #expect(router.respond(to: try request("GET", "/api/v1/nothing")).status == 404)
        #expect(router.respond(to: try request("GET", "/api/v1/branches/7/extra")).status == 404)
    }

    @Test func otherMethodsAre405WithAllow() throws {
        let response = router.respond(to: try request("PUT", "/api/v1/branches/7"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, HEAD, DELETE, OPTIONS")
    }

    @Test func optionsListsTheMethods() throws {
        let response = router.respond(to: try request("OPTIONS", "/api/v1/branches"))
        #expect(response.status == 204 && response.header("Allow") == "POST, OPTIONS")
    }

    @Test func headAnswersLikeGetWithoutABody() throws {
        let response = router.respond(to: try request("HEAD", "/api/v1/branches/7"))
        #expect(response.status == 200)
        let wire = String(decoding: response.serialized(keepAlive: true, headOnly: true), as: UTF8.self)
        #expect(wire.hasSuffix("Content-Length: 10\r\n\r\n"))
    }

    @Test func aMatchingETagIs304() throws {
        let first = router.respond(to: try request("GET", "/api/v1/branches/7"))
        let tag = try #require(first.header("ETag"))
        let again = router.respond(to: try request("GET", "/api/v1/branches/7", headers: [("If-None-Match", tag)]))
        #expect(again.status == 304 && again.body.isEmpty)
    }

    @Test func jsonBodiesAreDecodedStrictlyWithMessagesNamingTheField() throws {
        func post(_ body: String) throws -> (Int, String) {
            let response = router.respond(
                to: try request("POST", "/api/v1/branches", body: body, headers: [("Content-Type", "application/json")])
            )
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        #expect(try post(#"{"name": "Centro", "timeZone": "Europe/Madrid"}"#) == (201, #"{"created":"Centro"}"#))
        #expect(
            try post(#"{"name": "Centro", "timeZone": "Europe/Madrid", "admin": true}"#).1.contains(
                #"unknown field \"admin\""#))
        #expect(try post(#"{"name": 5, "timeZone": "x"}"#).1.contains(#"field \"name\" must be a string"#))
        #expect(try post(#"{"timeZone": "x"}"#).1.contains(#"missing field \"name\""#))
        #expect(try post(#"{"name": "a", "timeZone": "x", "capacity": 1e30}"#).0 == 400)
        #expect(
            try post(#"{"name": "a", "timeZone": "x", "capacity": null}"#)
                == (400, #"{"error":"field \"capacity\" must not be null (leave it out instead)"}"#))
        #expect(try post(#"{"name": "#).1.contains("not a JSON object"))
        #expect(try post(#"["a"]"#).0 == 400)
    }

    @Test func aRouteBodyLimitIs413() throws {
        let big = #"{"name": ""# + String(repeating: "x", count: 100) + #"", "timeZone": "UTC"}"#
        #expect(router.respond(to: try request("POST", "/api/v1/branches", body: big)).status == 413)
        #expect(router.bodyLimit(method: "POST", path: "/api/v1/branches") == 64)
    }

    @Test func responsesSerialiseWithLengthAndConnection() {
        let wire = String(decoding: HTTPResponse.text("ok").serialized(keepAlive: false), as: UTF8.self)
        #expect(
            wire
                == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\nok"
        )
    }
}
