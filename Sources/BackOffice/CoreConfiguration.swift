import CoreStorage
import Foundation
import Mail
import PorteroModel
import Service

/// portero-core's configuration file (`/etc/portero/portero-core.json`), read strictly: an unknown
/// key or a bad value is an error naming its key path.
public struct CoreConfiguration: Equatable, Sendable {
    public static let defaultPath = "/etc/portero/portero-core.json"

    /// The database: a SQLite file's absolute path (created and migrated at first start), or a
    /// PostgreSQL URL (`postgres://user@host/db`; the database must exist, its schema is migrated).
    public var database = "/var/lib/portero-core/core.sqlite"
    /// The IPv4 address to listen on, and the port.
    public var host = "127.0.0.1"
    public var port: UInt16 = 8080
    /// The core's "today" where no branch says (IANA).
    public var timeZone = "UTC"
    /// Session cookies marked Secure (behind TLS).
    public var secureCookies = false
    /// Addresses of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed;
    /// from any other peer those headers are ignored, so a client cannot choose the address its
    /// sign-in attempts are throttled by.
    public var trustedProxies: [String] = []
    /// Peers that may read `/metrics`: addresses or CIDR networks, IPv4 or IPv6.
    public var metricsAllowedAddresses = ["127.0.0.1", "::1"]
    /// Event loops (threads); nil: one per processor.
    public var eventLoops: Int?
    public var ioUring = true
    public var maximumConnections = 1_024
    public var maximumConnectionsPerAddress = 128
    /// The lowest priority written to the log.
    public var logLevel = Log.Priority.info
    /// When the core raises device alarms by itself.
    public var alarms = AlarmPolicy()
    /// Where people reach the web UI (`https://club.example`), for links in emails.
    public var publicURL: String?
    /// The SMTP server the core sends email through; nil: messages wait in the outbox.
    public var mail: MailSettings?
    /// The OpenID provider staff may sign in with; nil: passwords only.
    public var oidc: OIDCSettings?

    public init() {}

    package static let topLevelKeys = [
        "database", "listen", "time_zone", "secure_cookies", "trusted_proxies", "http", "log", "alarms", "metrics",
        "public_url", "mail", "oidc",
    ]

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws -> CoreConfiguration {
        try read(ConfigObject.load(path: path, allowed: topLevelKeys))
    }

    /// Validates a configuration document; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws -> CoreConfiguration {
        try read(ConfigObject.parse(data, file: file, allowed: topLevelKeys))
    }

    package static func read(_ root: ConfigObject) throws -> CoreConfiguration {
        var configuration = CoreConfiguration()
        if let database = try root.optionalString("database") {
            guard database.hasPrefix("/") || database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
            else {
                throw root.error("database", "expected an absolute path or a postgres:// URL")
            }
            configuration.database = database
        }
        if let listen = try root.object("listen", allowed: ["host", "port"]) {
            if let host = try listen.optionalString("host") {
                guard IPv4Address(host) != nil else {
                    throw listen.error("host", "\"\(host)\" is not an IPv4 address such as 127.0.0.1 or 0.0.0.0")
                }
                configuration.host = host
            }
            if let port = try listen.optionalInteger("port", in: 1...65_535) { configuration.port = UInt16(port) }
        }
        if let zone = try root.optionalString("time_zone") {
            do { _ = try ZoneRules(identifier: zone) } catch { throw root.error("time_zone", "\(error)") }
            configuration.timeZone = zone
        }
        configuration.secureCookies = try root.bool("secure_cookies", default: false)
        let proxies = try root.stringArray("trusted_proxies")
        for (index, proxy) in proxies.enumerated() where IPv4Address(proxy) == nil {
            throw root.error("trusted_proxies[\(index)]", "\"\(proxy)\" is not an IPv4 address")
        }
        configuration.trustedProxies = proxies
        if let http = try root.object(
            "http", allowed: ["event_loops", "io_uring", "max_connections", "max_connections_per_address"])
        {
            configuration.eventLoops = try http.optionalInteger("event_loops", in: 1...64).map(Int.init)
            configuration.ioUring = try http.bool("io_uring", default: true)
            if let limit = try http.optionalInteger("max_connections", in: 1...1_000_000) {
                configuration.maximumConnections = Int(limit)
            }
            if let limit = try http.optionalInteger("max_connections_per_address", in: 1...1_000_000) {
                configuration.maximumConnectionsPerAddress = Int(limit)
            }
        }
        if let metrics = try root.object("metrics", allowed: ["allowed_addresses"]),
            let addresses = try metrics.optionalStringArray("allowed_addresses")
        {
            for (index, address) in addresses.enumerated() where AddressRange(address) == nil {
                throw metrics.error(
                    "allowed_addresses[\(index)]", "\"\(address)\" is not an IP address or a network such as 10.0.0.0/8"
                )
            }
            configuration.metricsAllowedAddresses = addresses
        }
        if let alarms = try root.object("alarms", allowed: ["device_offline_minutes", "stale_replica_minutes"]) {
            if let minutes = try alarms.optionalInteger("device_offline_minutes", in: 1...1_440) {
                configuration.alarms.offlineAfterSeconds = minutes * 60
            }
            if let minutes = try alarms.optionalInteger("stale_replica_minutes", in: 1...10_080) {
                configuration.alarms.staleReplicaSeconds = minutes * 60
            }
        }
        configuration.publicURL = try publicURL(root)
        configuration.mail = try mail(root)
        configuration.oidc = try oidc(root, publicURL: configuration.publicURL)
        if let log = try root.object("log", allowed: ["level"]) {
            if let level = try log.optionalString("level") {
                guard let priority = Log.Priority.allCases.first(where: { $0.name == level }) else {
                    let names = Log.Priority.allCases.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    throw log.error("level", "\"\(level)\" is not one of \(names)")
                }
                configuration.logLevel = priority
            }
        }
        return configuration
    }
}

/// A dotted IPv4 address, checked by its four decimal parts (no leading zeros, each ≤ 255).
package struct IPv4Address: Equatable {
    package let octets: [UInt8]

    package init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                part == "0" || !part.hasPrefix("0"), let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        self.octets = octets
    }
}
