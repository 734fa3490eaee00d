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
