import Dispatch
import Foundation
import Service
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct StopSignalTests {
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    @Test func aWaitLastsItsSecondsOnTheMonotonicClock() {
        let signal = StopSignal()
        let began = Self.monotonicSeconds()
        signal.wait(seconds: 0.2)
        let waited = Self.monotonicSeconds() - began
        #expect(waited >= 0.2 && waited < 1, "waited \(waited) s")
    }

    @Test func firingEndsAWaitUnderWayAndEveryLaterOne() {
        let signal = StopSignal()
        let ended = DispatchSemaphore(value: 0)
        let waiting = DispatchSemaphore(value: 0)
        Thread {
            waiting.signal()
            signal.wait(seconds: 60)
            ended.signal()
        }.start()
        waiting.wait()
        signal.fire()
        #expect(ended.wait(timeout: .now() + 5) == .success, "a fired signal ends a 60 s wait")
        let began = Self.monotonicSeconds()
        signal.wait(seconds: 60)
        #expect(Self.monotonicSeconds() - began < 1)
        #expect(signal.isFired)
    }
}
