import TestSupport
import Dispatch
import SQLite
import Testing

@Suite struct SerialConnectionTests {
    @Test func concurrentTasksAreSerialisedOnTheConnectionQueue() async throws {
        let directory = try TemporaryDirectory()
        let serial = try SerialConnection(path: directory.file("s.sqlite"))
        try serial.sync { try $0.execute("CREATE TABLE n (v INTEGER NOT NULL)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in 0..<200 {
                group.addTask {
                    try await serial.perform { db in
                        try db.transaction { _ = try db.run("INSERT INTO n (v) VALUES (?)", value) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (count, sum) = try await serial.perform { db in
            (try db.scalar("SELECT count(*) FROM n", as: Int.self), try db.scalar("SELECT sum(v) FROM n", as: Int.self))
        }
        #expect(count == 200)
        #expect(sum == (0..<200).reduce(0, +))
    }

    @Test func errorsCrossTheQueue() async throws {
        let serial = try SerialConnection(path: ":memory:")
        await #expect(throws: SQLiteError.self) { try await serial.perform { try $0.execute("SELECT * FROM missing") } }
    }
}

@Suite struct CheckpointerTests {
    @Test func passiveCheckpointCopiesTheWholeLogBack() throws {
        let directory = try TemporaryDirectory()
        var options = ConnectionOptions()
        options.walAutoCheckpointPages = 0
        let db = try Connection(path: directory.file("c.sqlite"), options: options)
        try db.execute("CREATE TABLE t (v BLOB)")
        for _ in 0..<50 { try db.run("INSERT INTO t (v) VALUES (?)", [UInt8](repeating: 7, count: 4000)) }
        let checkpointer = try Checkpointer(path: db.path)
        let progress = try checkpointer.checkpointNow()
        #expect(progress.logFrames >= 50)
        #expect(progress.checkpointedFrames == progress.logFrames)
        #expect(!progress.busy)
        #expect(checkpointer.lastOutcome == .success(progress))
    }

    @Test func periodicCheckpointsRunUntilStopped() throws {
        let directory = try TemporaryDirectory()
        var options = ConnectionOptions()
        options.walAutoCheckpointPages = 0
        let db = try Connection(path: directory.file("c.sqlite"), options: options)
        try db.execute("CREATE TABLE t (v INTEGER)")
        try db.run("INSERT INTO t (v) VALUES (1)")
        let checkpointer = try Checkpointer(path: db.path)
        let ran = DispatchSemaphore(value: 0)
        checkpointer.start(intervalMilliseconds: 10) { _ in ran.signal() }
        defer { checkpointer.stop() }
        #expect(ran.wait(timeout: .now() + 10) == .success, "no checkpoint ran within 10 s")
        guard case let .success(progress)? = checkpointer.lastOutcome else {
            Issue.record("the checkpoint failed")
            return
        }
        #expect(progress.checkpointedFrames == progress.logFrames)
    }
}
