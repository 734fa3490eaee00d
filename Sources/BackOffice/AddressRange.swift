import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, or a network of them in CIDR form (`10.0.0.0/8`, `fd00::/8`): the
/// peers the configuration lets read `/metrics`.
package struct AddressRange: Equatable, Sendable {
    /// 4 bytes for IPv4, 16 for IPv6.
    package let network: [UInt8]
    /// The leading bits an address shares with `network` to be in the range.
    package let prefixLength: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = Self.bytes(String(parts[0])) else { return nil }
        self.network = network
        guard parts.count == 2 else {
            prefixLength = network.count * 8
            return
        }
        guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
            let length = Int(parts[1]), length <= network.count * 8
        else { return nil }
        prefixLength = length
    }

    /// True when `address` (a peer as the server writes it) is in the range; an IPv4 address
    /// mapped into IPv6 (`::ffff:127.0.0.1`) is the IPv4 one.
    package func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes.prefix(12).elementsEqual(Self.mappedPrefix) {
            bytes = Array(bytes.suffix(4))
        }
        guard bytes.count == network.count else { return false }
        var left = prefixLength
        for (given, expected) in zip(bytes, network) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            guard given & mask == expected & mask else { return false }
            left -= 8
        }
        return true
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    /// An address's bytes: dotted IPv4 as `IPv4Address` reads it, or IPv6 as inet_pton(3) does.
    static func bytes(_ text: String) -> [UInt8]? {
        if let address = IPv4Address(text) { return address.octets }
        guard text.contains(":") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
