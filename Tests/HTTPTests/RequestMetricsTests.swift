@testable import HTTP
import Foundation
import Testing

@Suite struct RequestMetricsTests {
    static func request(_ method: String, _ path: String) -> HTTPRequest {
        HTTPRequest(method: method, target: path, path: path, query: nil, headers: [])
    }

    static func router() -> (Router, RequestMetrics) {
        var router = Router()
        router.add(.get, "/users/:id") { context in .text(try context.parameter("id")) }
        router.add(.post, "/users/:id") { _ in HTTPResponse(status: 204) }
        router.add(.get, "/later") { _ in
            let deferred = HTTPDeferred()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                deferred.complete(.text("done", status: 202))
            }
            return .later(deferred)
        }
        let metrics = RequestMetrics()
        router.count(into: metrics)
        return (router, metrics)
    }

    @Test func answersAreCountedByPatternMethodAndStatus() {
        let (router, metrics) = Self.router()
        _ = router.respond(to: Self.request("GET", "/users/1"))
        _ = router.respond(to: Self.request("GET", "/users/2"))
        _ = router.respond(to: Self.request("HEAD", "/users/3"))
        _ = router.respond(to: Self.request("POST", "/users/3"))
        _ = router.respond(to: Self.request("DELETE", "/users/3"))
        _ = router.respond(to: Self.request("OPTIONS", "/users/3"))
        _ = router.respond(to: Self.request("BREW", "/users/3"))
        _ = router.respond(to: Self.request("GET", "/nowhere/7"))
        let counts = metrics.snapshot().counts.map { "\($0.route) \($0.method) \($0.status) \($0.count)" }
        #expect(
            counts == [
                "/users/:id DELETE 405 1", "/users/:id GET 200 2", "/users/:id HEAD 200 1",
                "/users/:id OPTIONS 204 1", "/users/:id OTHER 405 1", "/users/:id POST 204 1", "unmatched GET 404 1",
            ])
        let durations = metrics.snapshot().durations
        #expect(durations.map(\.route) == ["/users/:id", "unmatched"])
        #expect(durations.first?.count == 7 && durations.first?.buckets.count == RequestMetrics.bounds.count)
        #expect(durations.first?.buckets.last == 7, "every one under a second")
    }

    @Test func anAnswerGivenLaterIsCountedWithItsStatusOnceGiven() throws {
        let (router, metrics) = Self.router()
        let response = router.respond(to: Self.request("GET", "/later"))
        let deferred = try #require(response.deferred)
        #expect(metrics.snapshot().counts.isEmpty)
        let given = DispatchSemaphore(value: 0)
        deferred.whenComplete { _ in given.signal() }
        #expect(given.wait(timeout: .now() + 5) == .success)
        let count = try #require(metrics.snapshot().counts.first)
        #expect(count.route == "/later" && count.status == 202 && count.count == 1)
        let waited = try #require(metrics.snapshot().durations.first)
        #expect(waited.seconds >= 0.02 && waited.buckets[0] == 0)
    }

    @Test func manyStatusesOfManyRoutesAreEachCountedApart() {
        var router = Router()
        for index in 0..<20 {
            router.add(.get, "/r\(index)/:status") { context in
                HTTPResponse(status: Int(try context.parameter("status"))!)
            }
        }
        let metrics = RequestMetrics()
        router.count(into: metrics)
        for round in 1...2 {
            for index in 0..<20 {
                for status in 200..<210 { _ = router.respond(to: Self.request("GET", "/r\(index)/\(status)")) }
            }
            let counts = metrics.snapshot().counts
            #expect(counts.count == 200 && counts.allSatisfy { $0.count == round })
            #expect(Set(counts.map { "\($0.route) \($0.status)" }).count == 200)
        }
    }

    /// Loops count on shards of their own, and other threads on one they share: no answer is lost.
    @Test func loopsAndOtherThreadsCountingAtOnceLoseNothing() {
        let (router, metrics) = Self.router()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let serve = {
                for _ in 0..<2_000 { _ = router.respond(to: Self.request("GET", "/users/\(thread)")) }
            }
            if thread % 2 == 0 { EventLoopThread.acting(serve) } else { serve() }
        }
        #expect(metrics.snapshot().counts.map(\.count) == [16_000])
        #expect(metrics.snapshot().durations.first?.count == 16_000)
    }

    @Test func eachLoopHasANumberOfItsOwn() {
        #expect(EventLoopThread.number == nil)
        let first = EventLoopThread.acting { EventLoopThread.number }
        let second = EventLoopThread.acting { EventLoopThread.number }
        #expect(first != nil && second != nil && first != second)
        #expect(EventLoopThread.number == nil && !EventLoopThread.isCurrent)
    }
}
