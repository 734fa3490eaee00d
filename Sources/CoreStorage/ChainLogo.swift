import Foundation
import PorteroModel
import SQLite

/// The chain's logo, shown in every page's header: a PNG or a JPEG of at most 256 KiB, checked
/// by its first bytes (never SVG, which can carry script).
public struct ChainLogo: Hashable, Sendable {
    public static let types = ["image/png", "image/jpeg"]
    public static let maximumBytes = 256 * 1_024
    public let type: String
    public let bytes: [UInt8]

    /// Refuses (naming the field) a type other than PNG or JPEG, an empty or oversized image, or
    /// bytes that are not the type they claim.
    public init(type: String, bytes: [UInt8]) throws {
        guard Self.types.contains(type) else {
            throw AccountError(field: "type", problem: "image/png or image/jpeg")
        }
        guard !bytes.isEmpty, bytes.count <= Self.maximumBytes else {
            throw AccountError(field: "data", problem: "an image of at most 256 KiB")
        }
        guard ImageBytes.type(of: bytes) == type else {
            throw AccountError(field: "data", problem: "not a \(type == "image/png" ? "PNG" : "JPEG") image")
        }
        self.type = type
        self.bytes = bytes
    }
}

extension SQLSettingsStore {
    static let logoKey = "chain_logo"

    /// The logo, kept in `core_meta` as its type and its bytes in base64.
    public func logo() throws -> ChainLogo? {
        guard
            let text: String = try db.queryFirst(
                "SELECT value FROM core_meta WHERE key = ?", Self.logoKey, map: { try $0.get(0) })
        else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, let data = Data(base64Encoded: parts[1]) else {
            throw AccountError(field: "logo", problem: "the stored logo is damaged; upload it again")
        }
        return try ChainLogo(type: parts[0], bytes: Array(data))
    }

    public func hasLogo() throws -> Bool {
        try db.scalar("SELECT COUNT(*) FROM core_meta WHERE key = ?", Self.logoKey, as: Int64.self) > 0
    }

    /// Replaces the logo; nil removes it.
    public func saveLogo(_ logo: ChainLogo?) throws {
        guard let logo else {
            try db.run("DELETE FROM core_meta WHERE key = ?", Self.logoKey)
            return
        }
        try db.run(
            "INSERT INTO core_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            Self.logoKey, logo.type + " " + Data(logo.bytes).base64EncodedString())
    }
}

/// What an image's first bytes say it is, whatever its name or claimed type says.
public enum ImageBytes {
    /// "image/png" or "image/jpeg" from the signature, or nil for anything else.
    public static func type(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        return nil
    }
}
