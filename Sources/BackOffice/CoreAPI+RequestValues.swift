import Foundation

/// Values read from a request's headers and query string.
extension CoreAPI {
    /// A cookie's value from a `Cookie` header (`a=1; b=2`), on the UTF-8 bytes: this runs on
    /// every signed-in request.
    package static func cookie(_ name: String, in header: String?) -> String? {
        guard var header else { return nil }
        var name = name
        return header.withUTF8 { bytes in
            name.withUTF8 { name in
                var start = 0
                while start < bytes.count {
                    var end = start
                    while end < bytes.count, bytes[end] != UInt8(ascii: ";") { end += 1 }
                    // One `name=value` pair in start..<end, blanks around it dropped.
                    var first = start
                    while first < end, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") {
                        first += 1
                    }
                    var last = end
                    while last > first, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\t") {
                        last -= 1
                    }
                    if last - first > name.count, bytes[first + name.count] == UInt8(ascii: "="),
                        memcmp(bytes.baseAddress! + first, name.baseAddress!, name.count) == 0
                    {
                        return String(
                            decoding: UnsafeBufferPointer(rebasing: bytes[(first + name.count + 1)..<last]),
                            as: UTF8.self)
                    }
                    start = end + 1
                }
                return nil
            }
        }
    }

    package static func queryValue(_ name: String, in query: String?) -> String? {
        guard let pair = query?.split(separator: "&").first(where: { $0.hasPrefix(name + "=") }) else { return nil }
        let raw = pair.dropFirst(name.count + 1).replacingOccurrences(of: "+", with: " ")
        return raw.removingPercentEncoding ?? raw
    }
}
