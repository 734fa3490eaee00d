import CLinux
import LinuxSystem
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PeerCredentialsTests {
    @Test func theKernelNamesThePeerOfAUnixSocket() throws {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        let peer = try PeerCredentials(socket: pair[0])
        #expect(peer.processID == getpid())
        #expect(peer.userID == getuid())
        #expect(peer.groupID == getgid())
    }

    @Test func aDescriptorThatIsNotASocketIsAnError() throws {
        var pipeEnds: [Int32] = [-1, -1]
        #expect(pipe(&pipeEnds) == 0)
        defer {
            close(pipeEnds[0])
            close(pipeEnds[1])
        }
        #expect(throws: SystemCallError.self) { try PeerCredentials(socket: pipeEnds[0]) }
    }

    @Test func aUserIDIsNamedByThePasswordDatabase() throws {
        let own = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) }
        #expect(try PeerCredentials.userName(of: getuid()) == own)
        #expect(try PeerCredentials.userName(of: 0) == "root")
        // A uid with no entry has no name; it is not an error.
        #expect(try PeerCredentials.userName(of: 3_999_999_999) == nil)
    }
}
