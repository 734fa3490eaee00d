import HTTP
import Testing

@Suite struct HTTPConnectionStateTests {
    var timeouts: HTTPTimeouts {
        var t = HTTPTimeouts()
        t.headersMilliseconds = 1_000
        t.bodyMilliseconds = 5_000
        t.idleMilliseconds = 10_000
        t.writeMilliseconds = 2_000
        return t
    }

    @Test func aSlowlorisClientIsCutOffAtTheHeaderDeadlineFromItsFirstByte() {
        var connection = HTTPConnectionState(timeouts: timeouts, now: 0)
        connection.received(at: 100, headComplete: false)
        // Dribbling bytes does not move the deadline.
        for t in stride(from: Int64(200), to: 1_100, by: 100) {
            connection.received(at: t, headComplete: false)
            let early = connection.tick(t)
            #expect(early == nil)
        }
        #expect(connection.deadline == 1_100)
        let late = connection.tick(1_100)
        #expect(late == .headersTimeout)
        #expect(connection.isClosed)
    }

    @Test func theBodyHasItsOwnLongerDeadline() {
        var connection = HTTPConnectionState(timeouts: timeouts, now: 0)
        connection.received(at: 0, headComplete: true)
        let early = connection.tick(1_000)
        #expect(early == nil)
        #expect(connection.deadline == 5_000)
        let late = connection.tick(5_000)
        #expect(late == .bodyTimeout)
    }

    @Test func handlingStopsTheClockAndKeepAliveReturnsToIdle() {
        var connection = HTTPConnectionState(timeouts: timeouts, now: 0)
        connection.received(at: 0, headComplete: true)
        connection.requestDecoded()
        #expect(connection.deadline == nil)
        let handling = connection.tick(1_000_000)
        #expect(handling == nil)
        connection.responseQueued(at: 100, keepAlive: true)
        #expect(connection.deadline == 2_100)
        let closeNow = connection.responseWritten(at: 150)
        #expect(!closeNow)
        #expect(connection.phase == .idle(since: 150))
        let stillIdle = connection.tick(10_149)
        #expect(stillIdle == nil)
        let idle = connection.tick(10_150)
        #expect(idle == .idleTimeout)
    }

    @Test func aReaderThatStopsReadingIsCutOffAtTheWriteDeadline() {
        var connection = HTTPConnectionState(timeouts: timeouts, now: 0)
        connection.received(at: 0, headComplete: true)
        connection.requestDecoded()
        connection.responseQueued(at: 10, keepAlive: true)
        let reason = connection.tick(2_010)
        #expect(reason == .writeTimeout)
    }

    @Test func connectionCloseEndsAfterTheResponse() {
        var connection = HTTPConnectionState(timeouts: timeouts, now: 0)
        connection.received(at: 0, headComplete: true)
        connection.requestDecoded()
        connection.responseQueued(at: 1, keepAlive: false)
        let closeNow = connection.responseWritten(at: 2)
        #expect(closeNow)
        #expect(connection.phase == .closed(reason: .done))
    }

    @Test func gracefulShutdownClosesIdleConnectionsAndFinishesBusyOnes() {
        var idle = HTTPConnectionState(timeouts: timeouts, now: 0)
        let closedAtOnce = idle.beginShutdown()
        #expect(closedAtOnce)
        #expect(idle.phase == .closed(reason: .shutdown))
        var busy = HTTPConnectionState(timeouts: timeouts, now: 0)
        busy.received(at: 0, headComplete: true)
        busy.requestDecoded()
        let busyClosed = busy.beginShutdown()
        #expect(!busyClosed)
        busy.responseQueued(at: 5, keepAlive: true)
        let closesAfter = busy.responseWritten(at: 6)
        #expect(closesAfter)  // not kept alive while draining
    }
}
