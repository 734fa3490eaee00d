import CCrypto

/// A libcrypto call failed, or its input was out of range.
public struct CryptoError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The libcrypto function (or our check) that failed.
    public let operation: String
    /// The first message on OpenSSL's error queue, if any.
    public let detail: String

    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }

    /// Builds an error from OpenSSL's thread-local error queue, and clears the queue.
    static func fromLibcrypto(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        var detail = "no detail from libcrypto"
        if code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            detail = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        ERR_clear_error()
        return CryptoError(operation: operation, detail: detail)
    }

    public var description: String { "\(operation) failed: \(detail)" }
}
