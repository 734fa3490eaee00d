import Foundation
import Service

/// The `core` section: where the BackOffice is and how the daemon reaches it.
public struct CoreConfiguration: Hashable, Sendable {
    public var url: URL
    public var tokenFile: String
    /// The longest wait between retries after failures (exponential with jitter up to it).
    public var maxBackoffSeconds: Int = 60
    /// The core's and our clocks may differ by this much before the status shows a skew alarm.
    public var maxClockSkewSeconds: Int = 120
    /// PEM file of the CA(s) that signed the core's certificate; nil trusts the system's CAs.
    public var caFile: String?
    /// Sync over plain `http://` to a core off this machine (`core.allow_plain_http`). Enrolment
    /// never does: it carries the code, the token and the PIN key.
    public var allowPlainHTTP = false
}

extension DaemonConfiguration {
    /// The `core` section, or nil when the file has none (the daemon then runs on its replica alone).
    static func parseCore(_ root: ConfigObject) throws -> CoreConfiguration? {
        let keys = [
            "url", "token_file", "max_backoff_seconds", "max_clock_skew_seconds", "ca_file", "allow_plain_http",
        ]
        guard let object = try root.object("core", allowed: keys) else { return nil }
        let text = try object.string("url")
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw object.error("url", "expected an http:// or https:// URL, got \"\(text)\"")
        }
        var configuration = CoreConfiguration(url: url, tokenFile: try object.string("token_file"))
        configuration.maxBackoffSeconds =
            try object.optionalInteger("max_backoff_seconds", in: 1...3_600).map { Int($0) }
            ?? configuration.maxBackoffSeconds
        configuration.maxClockSkewSeconds =
            try object.optionalInteger("max_clock_skew_seconds", in: 1...86_400).map { Int($0) }
            ?? configuration.maxClockSkewSeconds
        if let caFile = try object.optionalString("ca_file") {
            guard url.scheme == "https" else {
                throw object.error("ca_file", "is for an https:// core; the url is \(text)")
            }
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw object.error("ca_file", "\(caFile) cannot be read")
            }
            configuration.caFile = caFile
        }
        configuration.allowPlainHTTP = try object.bool("allow_plain_http", default: false)
        switch CoreTransport(url) {
        case .plainOverNetwork where !configuration.allowPlainHTTP:
            throw object.error(
                "url",
                "plain http:// to \(url.host ?? text) would carry the device token unencrypted: use https://, "
                    + "or set core.allow_plain_http to true on a network you trust")
        case .encrypted where configuration.allowPlainHTTP:
            throw object.error("allow_plain_http", "is for an http:// core; the url is \(text)")
        default:
            break
        }
        return configuration
    }
}
