import CoreClient
import Daemon
import Foundation
import Service
import Synchronization
import Testing

/// Stopping sync never races a request: nothing starts after a stop, what is in flight is
/// cancelled at once, every thread is joined, and nothing traps (a trap would end this process).
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct SyncStopTests {
    /// A live core with a branch, a member, and an enrolled device whose configuration and
    /// token are in the core's folder.
    final class Branch {
        let core: AdminCLITests.Core
        let admin: CoreClient
        let member: Int64
        let configurationPath: String

        init() throws {
            core = try AdminCLITests.Core()
            admin = try SyncEndToEndTests.rootClient(core)
            let (branch, member, _, code) = try SyncEndToEndTests.seedBranch(admin)
            self.member = member
            let directory = core.directory.path
            let anonymous = CoreClient(
                baseURL: URL(string: "http://127.0.0.1:\(core.port)")!, token: nil)  // safe: literal
            let enrolled = try anonymous.send("POST", "api/v1/enroll", json: ["code": code]).json() as? [String: Any]
            let token = try #require(enrolled?["token"] as? String)
            try token.write(toFile: directory + "/device.token", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            configurationPath = directory + "/porterod.json"
            let config = """
                {"branch": {"id": \(branch), "time_zone": "America/Mexico_City"}, "data_directory": "\(directory)/data",
                 "core": {"url": "http://127.0.0.1:\(core.port)/", "token_file": "\(directory)/device.token"},
                 "status": {"socket": "\(directory)/status.sock"},
                 "doors": [{"id": 1, "relay": {"chip": "sim0", "line": 4, "kind": "fail_secure"}}],
                 "readers": [{"name": "entrada", "kind": "em4100", "device": "/dev/null", "door": 1}]}
                """
            try config.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        }

        /// Changes the member at the core until `stop` is set, so that long polls are answered
        /// all the time; returns how many changes it made.
        static func churn(_ admin: CoreClient, member: Int64, until stop: Flag) -> Int {
            var changes = 0
            while !stop.isSet {
                let note = "cambio \(changes)"
                if (try? admin.send("PATCH", "api/v1/users/\(member)", json: ["notes": note])) != nil { changes += 1 }
            }
            return changes
        }
    }

    /// A flag one thread sets and another reads.
    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
        func set() { value.store(true, ordering: .relaxed) }
    }

    /// Waits a random moment of up to `maximum` milliseconds (the moment of a stop, not a wait
    /// for an event).
    static func randomMoment(upTo maximum: Int, using generator: inout SystemRandomNumberGenerator) {
        _ = DispatchSemaphore(value: 0).wait(
            timeout: .now() + .milliseconds(Int.random(in: 0...maximum, using: &generator)))
    }

    @Test func aCancelEndsALongPollAtOnceAndRefusesLaterRequests() throws {
        let branch = try Branch()
        let token = try String(contentsOfFile: branch.core.directory.path + "/device.token", encoding: .utf8)
        let client = CoreClient(
            baseURL: URL(string: "http://127.0.0.1:\(branch.core.port)")!, token: token)  // safe: literal
        let first = try client.send("GET", "api/v1/sync/changes", query: [("after", "0")]).json() as? [String: Any]
        let cursor = try #require(first?["cursor"] as? Int64)
        let outcome = Mutex<(error: CoreClientError?, seconds: Double)?>(nil)
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            started.signal()
            let began = Date()
            var caught: CoreClientError?
            do {
                _ = try client.send("GET", "api/v1/sync/changes", query: [("after", String(cursor)), ("wait", "25")])
            } catch {
                caught = error as? CoreClientError
            }
            outcome.withLock { $0 = (caught, Date().timeIntervalSince(began)) }
            finished.signal()
        }.start()
        started.wait()
        // The moment of the cancel: well inside the 25 s poll (the core answers it only at its end).
        _ = finished.wait(timeout: .now() + .milliseconds(300))
        let cancelled = Date()
        client.cancel()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(Date().timeIntervalSince(cancelled) < 1, "a cancel ends the long poll at once")
        let result = try #require(outcome.withLock { $0 })
        #expect(
            result.error?.status == nil && result.error?.message.contains("cancelled") == true,
            "\(String(describing: result.error))")
        #expect(result.seconds >= 0.25 && result.seconds < 2, "the poll was under way and did not run to its end")
        #expect(throws: CoreClientError.self) { try client.send("GET", "api/v1/sync/changes", query: [("after", "0")]) }
    }

    @Test func stopAtRandomMomentsJoinsEveryThreadAndNeverTraps() throws {
        let branch = try Branch()
        let configuration = try DaemonConfiguration.load(path: branch.configurationPath)
        let stopChurn = Flag()
        let changes = Mutex(0)
        let churned = DispatchSemaphore(value: 0)
        let (admin, member) = (branch.admin, branch.member)
        Thread {
            let made = Branch.churn(admin, member: member, until: stopChurn)
            changes.withLock { $0 = made }
            churned.signal()
        }.start()
        defer {
            stopChurn.set()
            churned.wait()
        }
        var timing = SyncClient.Timing()
        timing.longPollSeconds = 1
        timing.uploadIntervalSeconds = 0.01
        var generator = SystemRandomNumberGenerator()
        var slowest = 0.0
        var furthest: Int64 = 0
        for round in 0..<300 {
            let events = try SyncEvents()
            let client = SyncClient(
                configuration: configuration, log: Log(minimum: .error), events: events, timing: timing)
            client.start()
            Self.randomMoment(upTo: round % 3 == 0 ? 200 : 20, using: &generator)
            let stopping = Date()
            client.stop()
            slowest = max(slowest, Date().timeIntervalSince(stopping))
            #expect(client.threadsRunning == 0, "round \(round): every thread is joined when stop returns")
            furthest = max(furthest, client.currentStatus.cursor)
        }
        #expect(slowest < 2, "a stop takes \(slowest) s at worst; a cancelled request ends at once")
        // The clients did real work between the stops: the snapshot, then batches of changes.
        #expect(furthest > 0, "the replica follows the core between stops")
        stopChurn.set()
        churned.wait()
        churned.signal()
        #expect(changes.withLock { $0 } > 0)
    }

    @Test func porterodStopsWithStatusZeroOnSIGTERMAtRandomMoments() throws {
        let branch = try Branch()
        let stopChurn = Flag()
        let churned = DispatchSemaphore(value: 0)
        let (admin, member) = (branch.admin, branch.member)
        Thread {
            _ = Branch.churn(admin, member: member, until: stopChurn)
            churned.signal()
        }.start()
        defer {
            stopChurn.set()
            churned.wait()
        }
        var generator = SystemRandomNumberGenerator()
        for round in 0..<12 {
            let daemon = try DaemonProcess(
                arguments: ["--config", branch.configurationPath, "--simulate"], withInput: true)
            #expect(daemon.waitFor(round == 0 ? "sync: snapshot of" : "porterod branch"), "\(daemon.log)")
            if round > 0 { _ = daemon.waitFor("sync: asking for changes", timeout: 0.5) }
            Self.randomMoment(upTo: 400, using: &generator)
            kill(daemon.process.processIdentifier, SIGTERM)
            daemon.process.waitUntilExit()
            _ = daemon.waitFor("\u{0}", timeout: 0.2)  // collect the rest of the log
            #expect(daemon.process.terminationReason == .exit, "round \(round): ended by a signal\n\(daemon.log)")
            #expect(daemon.process.terminationStatus == 0, "round \(round)\n\(daemon.log)")
            #expect(!daemon.log.contains("Fatal error"), "\(daemon.log)")
        }
    }
}
