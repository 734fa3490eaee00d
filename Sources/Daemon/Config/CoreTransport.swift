import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a core URL's traffic travels: the rule that keeps the device token, the enrolment code and
/// the PIN key from crossing a network in the clear.
public enum CoreTransport: Equatable, Sendable {
    /// `https://`: TLS, peer and host name verified.
    case encrypted
    /// `http://` to this machine (127.0.0.0/8, ::1, `localhost`): the bytes never reach a network.
    case loopback
    /// `http://` to another host: whoever is on the path reads the token and can change answers.
    case plainOverNetwork

    public init(_ url: URL) {
        if url.scheme?.lowercased() == "https" {
            self = .encrypted
        } else {
            self = Self.isLoopback(host: url.host ?? "") ? .loopback : .plainOverNetwork
        }
    }

    /// True for `localhost` and for literal addresses on the loopback network (an IPv4-mapped
    /// 127.x.x.x too). Names are not resolved: any other name may reach a network.
    public static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        var inet = in_addr()
        if inet_pton(AF_INET, name, &inet) == 1 { return UInt32(bigEndian: inet.s_addr) >> 24 == 127 }
        var inet6 = in6_addr()
        guard inet_pton(AF_INET6, name, &inet6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &inet6) { Array($0) }
        let mappedIPv4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        return bytes == [UInt8](repeating: 0, count: 15) + [1] || (mappedIPv4 && bytes[12] == 127)
    }
}
