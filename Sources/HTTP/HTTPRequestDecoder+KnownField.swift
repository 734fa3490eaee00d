extension HTTPRequestDecoder {
    /// The fields framing and routing look at, known by the decoder: their names are these
    /// constant strings, found without lower-casing or allocating.
    enum KnownField: Int, CaseIterable {
        case host, contentLength, transferEncoding, connection, cookie, authorization, contentType, accept, userAgent,
            acceptEncoding,
            acceptLanguage, ifNoneMatch, xForwardedProto, xCSRFToken, origin, referer, cacheControl

        var name: String {
            switch self {
            case .host: "host"
            case .contentLength: "content-length"
            case .transferEncoding: "transfer-encoding"
            case .connection: "connection"
            case .cookie: "cookie"
            case .authorization: "authorization"
            case .contentType: "content-type"
            case .accept: "accept"
            case .userAgent: "user-agent"
            case .acceptEncoding: "accept-encoding"
            case .acceptLanguage: "accept-language"
            case .ifNoneMatch: "if-none-match"
            case .xForwardedProto: "x-forwarded-proto"
            case .xCSRFToken: "x-csrf-token"
            case .origin: "origin"
            case .referer: "referer"
            case .cacheControl: "cache-control"
            }
        }

        static let names: [(field: KnownField, name: String, bytes: [UInt8])] = allCases.map {
            ($0, $0.name, Array($0.name.utf8))
        }

        /// The known field a name (a token) spells in any case. Known names are lower-case
        /// letters and hyphens, which `| 0x20` leaves alone; it folds upper-case letters onto
        /// them, and the only other byte it maps onto a letter or hyphen is CR, never in a token.
        static func find(_ name: Bytes) -> (field: KnownField, name: String)? {
            for known in names where known.bytes.count == name.count {
                var same = true
                for index in 0..<name.count where name[index] | 0x20 != known.bytes[index] {
                    same = false
                    break
                }
                if same { return (known.field, known.name) }
            }
            return nil
        }
    }
}
