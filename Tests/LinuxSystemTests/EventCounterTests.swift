import CLinux
import LinuxSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct EventCounterTests {
    static func readable(_ descriptor: Int32) -> Bool {
        var set = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&set, 1, 0) == 1
    }

    @Test func aSignalMakesTheDescriptorReadableUntilReset() throws {
        let counter = try EventCounter()
        #expect(!Self.readable(counter.descriptor))
        counter.signal()
        counter.signal()
        #expect(Self.readable(counter.descriptor))
        #expect(counter.reset() == 2)
        #expect(!Self.readable(counter.descriptor))
    }

    @Test func resetWithNothingSignalledReturnsZeroWithoutBlocking() throws {
        let counter = try EventCounter()
        #expect(counter.reset() == 0)
    }

    @Test func theDescriptorIsClosedOnExec() throws {
        let counter = try EventCounter()
        let flags = fcntl(counter.descriptor, F_GETFD)
        #expect(flags & FD_CLOEXEC != 0)
    }
}
