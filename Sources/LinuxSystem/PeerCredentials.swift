import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of a connected Unix socket, as the kernel recorded it when the peer
/// connected (`SO_PEERCRED`, unix(7)): not what the peer says of itself.
public struct PeerCredentials: Hashable, Sendable {
    public let processID: Int32
    public let userID: UInt32
    public let groupID: UInt32

    /// Reads the credentials of the peer of `socket` (`getsockopt(SOL_SOCKET, SO_PEERCRED)`).
    public init(socket: Int32) throws(SystemCallError) {
        var credentials = portero_ucred()
        try system("getsockopt SO_PEERCRED", "socket \(socket)") { portero_peer_credentials(socket, &credentials) }
        processID = credentials.pid
        userID = credentials.uid
        groupID = credentials.gid
    }

    /// The login name of `uid` in the password database (`getpwuid_r`, so through NSS as the
    /// system is set up), or nil when it has no entry for it.
    public static func userName(of uid: UInt32) throws(SystemCallError) -> String? {
        var size = max(Int(sysconf(Int32(_SC_GETPW_R_SIZE_MAX))), 1_024)
        while true {
            var entry = passwd()
            var found: UnsafeMutablePointer<passwd>?
            // The entry's strings point into `buffer`, freed when this pass of the loop ends.
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            do {
                try systemReturningErrorNumber("getpwuid_r", "uid \(uid)") {
                    getpwuid_r(uid, &entry, buffer, size, &found)
                }
            } catch {
                // The entry did not fit: try again with room for it, up to a size no entry needs.
                guard error.errno == Errno(rawValue: ERANGE) && size < 1 << 20 else { throw error }
                size *= 2
                continue
            }
            guard found != nil, let name = entry.pw_name else { return nil }
            return String(cString: name)
        }
    }
}
