import BackOffice
import CoreStorage
import DemoSeed
import WebUI
import Foundation
import HTTP
import PorteroModel
import SQLite

/// The core's user-space cost of one request, without sockets: request bytes as wrk sends them
/// through the decoder, the router (authentication, the handler, SQLite, JSON) and the answer's
/// serialization, on one thread acting as an event loop, batches of 32 as the server makes them.
/// The kernel's share (loopback TCP, epoll) is what wrk adds on top (scripts/bench_http.sh).
struct HandlerBenchmark {
    let requests: Int
    let directory: String
    /// The paths to time (the default: a static route, the caller's account, a member's profile).
    var targets = ["/api/v1/health", "/api/v1/me", "/api/v1/users/1"]

    func run() throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/core.sqlite"
        let now = Timestamp.now()
        do {
            let connection = try Connection(path: path)
            try CoreSchema.migrate(connection)
            let accounts = try SQLAccountStore(connection: SQLiteDatabase(connection))
            _ = try accounts.createAccount(
                username: "root", email: "root@club.mx", password: "Secreto123", name: "Root", paternalSurname: "",
                roles: RoleSet([.superAdministrator]), branches: [], now: now)
        }
        let api = try CoreAPI(path: path)
        defer { api.stopWaiting() }
        let router = api.router()
        let login = router.respond(
            to: HTTPRequest(
                method: "POST", target: "/api/v1/session", path: "/api/v1/session", query: nil,
                headers: [("host", "127.0.0.1"), ("content-type", "application/json")],
                body: Array(#"{"login":"root","password":"Secreto123"}"#.utf8)))
        guard let setCookie = login.headers.first(where: { $0.name == "Set-Cookie" })?.value,
            let cookie = setCookie.split(separator: ";").first
        else { throw BenchmarkFailure(message: "login failed: \(login.status)") }
        print("path               ns/request (median of 5 runs of \(requests))   status  answer bytes")
        for path in targets {
            let raw = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nCookie: \(cookie)\r\n\r\n".utf8)
            var runs: [Double] = []
            var last = (status: 0, bytes: 0)
            try EventLoopThread.acting {
                for run in 0...5 {
                    var decoder = HTTPRequestDecoder(bodyLimit: { method, path in
                        router.bodyLimit(method: method, path: path)
                    })
                    let started = clockNanoseconds()
                    for index in 0..<requests {
                        decoder.append(raw)
                        guard let request = try decoder.next() else {
                            throw BenchmarkFailure(message: "the decoder wanted more bytes")
                        }
                        let response = router.respond(to: request)
                        let bytes = response.serialized(keepAlive: true)
                        last = (response.status, bytes.count)
                        if index % 32 == 31 { router.batchEnded?() }
                    }
                    router.batchEnded?()
                    // The first run warms caches and is not counted.
                    if run > 0 { runs.append(Double(clockNanoseconds() - started) / Double(requests)) }
                }
            }
            runs.sort()
            print(
                path.padding(toLength: 18, withPad: " ", startingAt: 0)
                    + String(
                        format: " %8.0f  (min %.0f, max %.0f)                %d     %d", runs[2], runs[0], runs[4],
                        last.status, last.bytes))
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
