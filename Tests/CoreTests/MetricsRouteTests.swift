@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Server
import SyncWire
import TestSupport
import Testing

extension APIFixture {
    /// `GET /metrics` from `peer` (the loopback, which the default configuration allows).
    func scrape(peer: String = "127.0.0.1") throws -> (status: Int, text: String) {
        let response = try send("GET", "/metrics", peer: peer)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }
}

/// A scrape as Prometheus reads it: every line a `# HELP`, a `# TYPE` or a sample of a family
/// declared before it, its labels quoted and escaped, its value a number.
struct Exposition {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }
    var types: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        #expect(text.hasSuffix("\n"))
        var helped: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") {
                let name = try #require(line.dropFirst(7).split(separator: " ").first.map(String.init))
                #expect(helped.insert(name).inserted, "HELP twice for \(name)")
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ").map(String.init)
                #expect(parts.count == 2 && ["counter", "gauge", "histogram"].contains(parts[1]), "\(line)")
                #expect(helped.contains(parts[0]) && types[parts[0]] == nil, "TYPE without HELP, or twice: \(line)")
                types[parts[0]] = parts[1]
                continue
            }
            let sample = try #require(Self.sample(String(line)), "not a sample: \(line)")
            let family =
                ["_bucket", "_sum", "_count"].first { sample.name.hasSuffix($0) && types[sample.name] == nil }
                .map { String(sample.name.dropLast($0.count)) } ?? sample.name
            #expect(types[family] != nil, "a sample of an undeclared family: \(line)")
            samples.append(sample)
        }
    }

    /// `name{label="value",…} number`, or nil.
    static func sample(_ line: String) -> Sample? {
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { return nil }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest.dropFirst(label.count)
                guard !label.isEmpty, rest.hasPrefix("=\"") else { return nil }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    rest = rest.dropFirst()
                    if character == "\\" {
                        guard let escaped = rest.first, "\\\"n".contains(escaped) else { return nil }
                        value.append(escaped == "n" ? "\n" : escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { return nil }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let number = rest.dropFirst()
        let value = number == "+Inf" ? Double.infinity : number == "-Inf" ? -Double.infinity : Double(number)
        return value.map { Sample(name: String(name), labels: labels, value: $0) }
    }

    /// The value of the sample with this name and these labels (nil: none).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

@Suite struct MetricsRouteTests {
    @Test func answersAreCountedAndTimedByRoutePatternNeverByPath() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        for _ in 0..<2 {
            #expect(try fixture.send("GET", "/api/v1/users/\(admin.id)", cookie: admin.cookie).status == 200)
        }
        #expect(try fixture.send("GET", "/api/v1/users/\(admin.id)").status == 401)
        #expect(try fixture.send("GET", "/no/such/place/12345").status == 404)
        #expect(try fixture.send("GET", "/members/\(admin.id)", cookie: admin.cookie).status == 200)
        let (status, text) = try fixture.scrape()
        #expect(status == 200)
        #expect(
            try fixture.send("GET", "/metrics", peer: "127.0.0.1").header("Content-Type")?.hasPrefix(
                "text/plain; version=0.0.4") == true)
        let scrape = try Exposition(text)
        func requests(_ route: String, _ method: String, _ status: Int) -> Double? {
            scrape.value("portero_core_requests_total", ["route": route, "method": method, "status": "\(status)"])
        }
        #expect(requests("/api/v1/users/:id", "GET", 200) == 2)
        #expect(requests("/api/v1/users/:id", "GET", 401) == 1)
        #expect(requests("/api/v1/session", "POST", 201) == 1)
        #expect(requests("unmatched", "GET", 404) == 1)
        #expect(requests("/members/:id", "GET", 200) == 1, "a web page by its pattern")
        // The page's own calls to the API, in-process, are not answers to a client.
        #expect(!text.contains("/api/v1/users/\(admin.id)") && !text.contains("12345"))
        #expect(scrape.types["portero_core_requests_total"] == "counter")

        #expect(scrape.types["portero_core_request_duration_seconds"] == "histogram")
        let buckets = scrape.samples.filter {
            $0.name == "portero_core_request_duration_seconds_bucket" && $0.labels["route"] == "/api/v1/users/:id"
        }
        #expect(buckets.map { $0.labels["le"] } == RequestMetrics.bounds.map { "\($0)" } + ["+Inf"])
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value }, "cumulative")
        #expect(buckets.last?.value == 3)
        let route = ["route": "/api/v1/users/:id"]
        #expect(scrape.value("portero_core_request_duration_seconds_count", route) == 3)
        let seconds = try #require(scrape.value("portero_core_request_duration_seconds_sum", route))
        #expect(seconds > 0 && seconds < 10)
        // The scrapes themselves are counted once answered: the next one sees the two before it.
        let next = try Exposition(try fixture.scrape().text)
        #expect(
            next.value("portero_core_requests_total", ["route": "/metrics", "method": "GET", "status": "200"]) == 2)
    }

    @Test func theDatabaseTheFeedAndTheProcessAreReported() throws {
        let fixture = try APIFixture()
        let scrape = try Exposition(try fixture.scrape().text)
        let head = try fixture.api.withDatabase { try $0.sync.head() }
        #expect(scrape.value("portero_core_feed_head") == Double(head))
        #expect(scrape.value("portero_core_parked_long_polls") == 0)
        #expect(scrape.value("portero_core_uploaded_events_total") == 0)
        #expect(scrape.value("portero_core_database_connections", ["state": "in_use"]) == 0)
        #expect((scrape.value("portero_core_database_connections", ["state": "idle"]) ?? 0) >= 1)
        #expect((scrape.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((scrape.value("process_open_fds") ?? 0) >= 3)
        let started = try #require(scrape.value("process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 24 * 3600)
        #expect(scrape.types["portero_core_open_connections"] == nil, "no server counts connections in-process")
    }

    @Test func onlyAllowedPeersReadTheMetricsAndAForwardedAddressProvesNothing() throws {
        let fixture = try APIFixture(trustedProxies: ["192.0.2.1"])
        #expect(try fixture.scrape(peer: "127.0.0.1").status == 200)
        for peer in ["", "192.0.2.7", "127.0.0.2"] {
            let refused = try fixture.scrape(peer: peer)
            #expect(refused.status == 404 && !refused.text.contains("portero_core"), "\(peer)")
        }
        let forwarded = try fixture.send(
            "GET", "/metrics", peer: "192.0.2.1", headers: [("X-Forwarded-For", "127.0.0.1")])
        #expect(forwarded.status == 404)

        // A reverse proxy on the loopback forwards its clients' requests: refused, the proxy's
        // own address notwithstanding; a scraper on the loopback itself is answered.
        let proxied = try APIFixture(trustedProxies: ["127.0.0.1"])
        #expect(
            try proxied.send("GET", "/metrics", peer: "127.0.0.1", headers: [("X-Forwarded-For", "203.0.113.5")])
                .status == 404)
        #expect(try proxied.scrape(peer: "127.0.0.1").status == 200)

        let network = try APIFixture(metricsAllowedAddresses: ["10.0.0.0/8", "2001:db8::/32"])
        #expect(try network.scrape(peer: "10.1.2.3").status == 200)
        #expect(try network.scrape(peer: "2001:db8::5").status == 200)
        #expect(try network.scrape(peer: "::ffff:10.9.9.9").status == 200)
        #expect(try network.scrape(peer: "127.0.0.1").status == 404)
        #expect(try network.scrape(peer: "11.0.0.1").status == 404)
    }

    @Test func addressRangesMatchByTheirPrefix() {
        #expect(AddressRange("127.0.0.1")?.contains("127.0.0.1") == true)
        #expect(AddressRange("127.0.0.1")?.contains("127.0.0.10") == false)
        #expect(AddressRange("192.168.4.0/22")?.contains("192.168.7.255") == true)
        #expect(AddressRange("192.168.4.0/22")?.contains("192.168.8.0") == false)
        #expect(AddressRange("0.0.0.0/0")?.contains("203.0.113.9") == true)
        #expect(AddressRange("0.0.0.0/0")?.contains("::1") == false)
        #expect(AddressRange("::1")?.contains("::1") == true)
        #expect(AddressRange("fd00::/8")?.contains("fdab::1") == true)
        #expect(AddressRange("fd00::/8")?.contains("fe80::1") == false)
        for bad in ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/8/8", "1.2.3"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test func aWaitingLongPollIsParkedUntilAnswered() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let cursor = try fixture.batch(token, after: 0).cursor
        let poll = try fixture.bearer("GET", "/api/v1/sync/changes?after=\(cursor)&wait=1", token)
        let deferred = try #require(poll.deferred)
        #expect(try Exposition(try fixture.scrape().text).value("portero_core_parked_long_polls") == 1)
        #expect(eventually { deferred.isComplete })
        let after = try Exposition(try fixture.scrape().text)
        #expect(after.value("portero_core_parked_long_polls") == 0)
        // Counted once answered, with its wait.
        let changes = ["route": "/api/v1/sync/changes", "method": "GET", "status": "200"]
        #expect(after.value("portero_core_requests_total", changes) == 2)
        let waited = try #require(
            after.samples.first {
                $0.name == "portero_core_request_duration_seconds_bucket"
                    && $0.labels == ["route": "/api/v1/sync/changes", "le": "0.5"]
            })
        #expect(waited.value == 1, "the quick batch is under half a second, the long poll is not")
    }

    @Test func eachDeviceLagsTheHeadByTheCursorItLastAskedWith() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, identity) = try fixture.enrolDevice(as: admin)
        let device = try #require(identity["deviceID"] as? Int64)
        let (_, silent) = try fixture.enrolDevice(as: admin, name: "puerta")
        _ = try fixture.member("ana", as: admin)
        _ = try fixture.member("beto", as: admin)
        let head = try fixture.api.withDatabase { try $0.sync.head() }
        #expect(head > 1)
        _ = try fixture.batch(token, after: 1)
        let labels = ["device": "\(device)", "branch": "\(fixture.own)"]
        var scrape = try Exposition(try fixture.scrape().text)
        #expect(scrape.value("portero_core_feed_head") == Double(head))
        #expect(scrape.value("portero_core_device_lag", labels) == Double(head - 1))
        let lags = scrape.samples.filter { $0.name == "portero_core_device_lag" }
        #expect(lags.count == 1, "a device that never asked is left out: \(silent)")
        _ = try fixture.batch(token, after: head)
        scrape = try Exposition(try fixture.scrape().text)
        #expect(scrape.value("portero_core_device_lag", labels) == 0)
    }

    @Test func uploadedEventsAreCountedOnceEach() throws {
        let fixture = try APIFixture()
        let admin = try fixture.signIn(.administrator, username: "admin")
        let (token, _) = try fixture.enrolDevice(as: admin)
        let events = fixture.unknownCardEntries(5, seed: 11)
        for batch in [Array(events.prefix(3)), events] {
            #expect(try fixture.upload(batch, token: token).status == 200)
        }
        let scrape = try Exposition(try fixture.scrape().text)
        #expect(scrape.value("portero_core_uploaded_events_total") == 5, "stored, not sent again")
        #expect(scrape.types["portero_core_uploaded_events_total"] == "counter")
    }

    /// Through the server: the socket's peer decides, the open connections are counted, and the
    /// loops' answers are in the counts.
    @Test func throughTheServerTheConnectionsAndTheLoopsAnswersAreCounted() throws {
        let fixture = try APIFixture()
        let serving = try ServedRouter(fixture.router, eventLoops: 2)
        let server = serving.server
        fixture.api.metrics.countConnections { server.openConnections }
        let client = try LoopbackClient(port: server.port)
        let other = try LoopbackClient(port: server.port)
        for _ in 0..<20 {
            client.send("GET /api/v1/health HTTP/1.1\r\nHost: core\r\n\r\n")
            _ = client.receive { $0.hasSuffix("ok\n") }
        }
        other.send("GET /api/v1/health HTTP/1.1\r\nHost: core\r\n\r\n")
        _ = other.receive { $0.hasSuffix("ok\n") }
        client.send("GET /metrics HTTP/1.1\r\nHost: core\r\n\r\n")
        let answer = client.receive { $0.contains("process_cpu_seconds_total ") && $0.hasSuffix("\n") }.text
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        let body = try #require(answer.components(separatedBy: "\r\n\r\n").last)
        let scrape = try Exposition(body)
        #expect(scrape.value("portero_core_open_connections") == 2)
        let health = ["route": "/api/v1/health", "method": "GET", "status": "200"]
        #expect(scrape.value("portero_core_requests_total", health) == 21)
    }
}
