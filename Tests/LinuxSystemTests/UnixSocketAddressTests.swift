import CLinux
import LinuxSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct UnixSocketAddressTests {
    @Test func aPathIsBoundAndItsLengthCountsTheTerminatingNUL() throws {
        let path = "/tmp/portero-address-\(getpid())-\(Int.random(in: 0..<1_000_000)).sock"
        defer { unlink(path) }
        let address = try #require(UnixSocketAddress(path: path))
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let bound = address.withSocketAddress { pointer, length -> Int32 in
            #expect(Int(length) == MemoryLayout<sa_family_t>.size + path.utf8.count + 1)
            return bind(fd, pointer, length)
        }
        #expect(bound == 0)
        #expect(access(path, F_OK) == 0)
    }

    @Test func anAtSignMeansTheAbstractNamespace() throws {
        let address = try #require(UnixSocketAddress(path: "@portero-test-\(getpid())"))
        address.withSocketAddress { pointer, length in
            pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { unix in
                #expect(withUnsafeBytes(of: unix.pointee.sun_path) { $0[0] } == 0)
            }
            #expect(Int(length) == MemoryLayout<sa_family_t>.size + "@portero-test-\(getpid())".utf8.count)
        }
    }

    @Test func refusesPathsThatDoNotFitOrHoldNUL() {
        #expect(UnixSocketAddress(path: "/" + String(repeating: "a", count: 200)) == nil)
        #expect(UnixSocketAddress(path: "") == nil)
        #expect(UnixSocketAddress(path: "/tmp/a\u{0}b") == nil)
    }
}
