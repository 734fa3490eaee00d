import Crypto
import Foundation
import PorteroModel
import SQLite

/// A member's photo as the desk shows it: a JPEG or PNG of at most 512 KiB, checked by its
/// structure (not its name or claimed type), with what a camera writes besides the picture
/// (EXIF with the place it was taken, XMP, comments, text chunks) removed before it is stored.
public struct MemberPhoto: Hashable, Sendable {
    public static let types = ["image/jpeg", "image/png"]
    public static let maximumBytes = 512 * 1_024
    public let type: String
    public let bytes: [UInt8]

    /// Refuses (naming the field) another type, an empty, oversized or malformed image; keeps the
    /// picture and drops its metadata.
    public init(type: String, bytes: [UInt8]) throws {
        guard Self.types.contains(type) else { throw AccountError(field: "type", problem: "image/jpeg or image/png") }
        guard !bytes.isEmpty, bytes.count <= Self.maximumBytes else {
            throw AccountError(field: "data", problem: "an image of at most 512 KiB")
        }
        let stripped = type == "image/png" ? Self.strippedPNG(bytes) : Self.strippedJPEG(bytes)
        guard let stripped else {
            throw AccountError(field: "data", problem: "not a whole \(type == "image/png" ? "PNG" : "JPEG") image")
        }
        self.type = type
        self.bytes = stripped
    }

    /// The SHA-256 of the stored bytes in lowercase hexadecimal: what staff approve a member's photo by.
    public var sha256Hex: String { Hex.encode(Digest.sha256(bytes)) }

    /// Stored bytes, trusted as written.
    init(stored type: String, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// The JPEG without what a camera writes besides the picture: APP1–APP15 segments (EXIF, XMP,
    /// IPTC, MPF…) and comments, wherever they are (before the first scan or between the scans of a
    /// progressive image), except an ICC colour profile (APP2) and Adobe's colour transform (APP14),
    /// which the picture needs; and nothing after the end of the image (a second image appended,
    /// with its own EXIF, or a vendor's trailer). Nil when the segments do not parse or the image
    /// has no scan or no end.
    static func strippedJPEG(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        var index = 2
        var scanned = false
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            switch marker {
            case 0xFF:  // fill byte
                index += 1
                continue
            case 0xD9:
                return scanned ? out + [0xFF, 0xD9] : nil
            case 0xD8, 0x00:
                return nil
            case 0x01, 0xD0...0xD7:  // markers without a length
                out += [0xFF, marker]
                index += 2
                continue
            default:
                break
            }
            guard index + 4 <= bytes.count else { return nil }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { return nil }
            let end = index + 2 + length
            if keepsSegment(marker, bytes[(index + 4)..<end]) { out += bytes[index..<end] }
            index = end
            if marker == 0xDA {
                // The compressed data runs to the next marker that is neither a stuffed 0xFF nor a restart.
                scanned = true
                let start = index
                while index + 1 < bytes.count {
                    let next = bytes[index + 1]
                    if bytes[index] == 0xFF, next != 0x00, !(0xD0...0xD7).contains(next) { break }
                    index += 1
                }
                out += bytes[start..<index]
            }
        }
        return nil
    }

    /// Whether a segment before, between or after scans is part of the picture.
    static func keepsSegment(_ marker: UInt8, _ payload: ArraySlice<UInt8>) -> Bool {
        switch marker {
        case 0xE2: payload.starts(with: Array("ICC_PROFILE\0".utf8))
        case 0xEE: payload.starts(with: Array("Adobe".utf8))
        case 0xE1...0xEF, 0xFE: false
        default: true
        }
    }

    /// The PNG without its text, time and EXIF chunks; nil when a chunk's length or checksum is
    /// wrong, or it does not start with IHDR and end with IEND.
    static func strippedPNG(_ bytes: [UInt8]) -> [UInt8]? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else { return nil }
        var out = signature
        var index = 8
        var first = true
        while index + 12 <= bytes.count {
            let length = bytes[index..<(index + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard length <= bytes.count - index - 12 else { return nil }
            let kind = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            let end = index + 12 + length
            let stored = bytes[(end - 4)..<end].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard Self.crc32(bytes[(index + 4)..<(end - 4)]) == stored else { return nil }
            if first && kind != "IHDR" { return nil }
            first = false
            if !["tEXt", "zTXt", "iTXt", "eXIf", "tIME"].contains(kind) { out += bytes[index..<end] }
            if kind == "IEND" { return end == bytes.count ? out : nil }
            index = end
        }
        return nil
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        ~bytes.reduce(UInt32.max) { crc, byte in crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}

/// Where a photo stands: the one the desk shows, or one a member sent that staff have yet to approve.
public enum PhotoState: String, Sendable, CaseIterable {
    case approved, pending
}

/// What approving a member's photo did: approved, nothing waited, or the member sent another photo
/// since staff looked at it (staff approve only the picture they saw).
public enum PhotoApproval: Sendable {
    case approved, noneWaiting, replacedSince
}

/// Members' photos, one shown and at most one waiting per member.
public protocol PhotoStore {
    func photo(of user: UserID, _ state: PhotoState) throws -> MemberPhoto?
    /// True when `user` has a photo in `state` (the one the desk shows, unless said).
    func hasPhoto(of user: UserID, _ state: PhotoState) throws -> Bool
    /// Replaces the photo in `state`.
    func savePhoto(_ photo: MemberPhoto, of user: UserID, _ state: PhotoState, by: UserID, now: Timestamp) throws
    /// Removes it; false when there was none.
    func removePhoto(of user: UserID, _ state: PhotoState) throws -> Bool
    /// The waiting photo becomes the one shown, when it is still the one whose SHA-256 staff saw.
    func approvePhoto(of user: UserID, seen sha256: [UInt8], by: UserID, now: Timestamp) throws -> PhotoApproval
    /// The photo the desk shows of `user`, when they were decided at a door of one of `branches`
    /// (nil: any): the live view's faces, for desks that may not open the member's page.
    func photoOfEntrant(_ user: UserID, at branches: Set<BranchID>?) throws -> MemberPhoto?
    /// Members with a photo waiting at `branches` (nil: all), oldest first.
    func pendingPhotos(in branches: Set<BranchID>?, limit: Int) throws -> [(user: UserID, at: Timestamp)]
}

public final class SQLPhotoStore: PhotoStore {
    let db: any SQLDatabase

    public init(connection: any SQLDatabase) {
        db = connection
    }

    public func photo(of user: UserID, _ state: PhotoState) throws -> MemberPhoto? {
        try db.queryFirst(
            "SELECT type, bytes FROM member_photos WHERE user_id = ? AND state = ?", user.rawValue, state.rawValue
        ) { MemberPhoto(stored: try $0.get(0), bytes: $0.bytes(1) ?? []) }
    }

    public func hasPhoto(of user: UserID, _ state: PhotoState = .approved) throws -> Bool {
        try db.queryFirst(
            "SELECT 1 FROM member_photos WHERE user_id = ? AND state = ?", user.rawValue, state.rawValue,
            map: { try $0.get(0) as Int64 }) != nil
    }

    public func savePhoto(_ photo: MemberPhoto, of user: UserID, _ state: PhotoState, by: UserID, now: Timestamp)
        throws
    {
        try db.run(
            """
            INSERT INTO member_photos (user_id, state, type, bytes, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, state) DO UPDATE SET type = excluded.type, bytes = excluded.bytes,
                uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at
            """, user.rawValue, state.rawValue, photo.type, photo.bytes, by.rawValue, now.milliseconds)
    }

    public func removePhoto(of user: UserID, _ state: PhotoState) throws -> Bool {
        try db.run("DELETE FROM member_photos WHERE user_id = ? AND state = ?", user.rawValue, state.rawValue) > 0
    }

    public func approvePhoto(of user: UserID, seen sha256: [UInt8], by: UserID, now: Timestamp) throws
        -> PhotoApproval
    {
        try db.transaction {
            guard let waiting = try photo(of: user, .pending) else { return .noneWaiting }
            guard Digest.sha256(waiting.bytes) == sha256 else { return .replacedSince }
            try savePhoto(waiting, of: user, .approved, by: by, now: now)
            _ = try removePhoto(of: user, .pending)
            return .approved
        }
    }

    public func photoOfEntrant(_ user: UserID, at branches: Set<BranchID>?) throws -> MemberPhoto? {
        var arguments: [any SQLiteBindable] = [user.rawValue]
        var scope = ""
        if let branches {
            arguments.append(SQLMemberStore.jsonList(branches))
            scope = "AND a.branch_id IN (\(db.dialect.integers(in: "?2")))"
        }
        return try db.first(
            """
            SELECT p.type, p.bytes FROM member_photos p WHERE p.user_id = ?1 AND p.state = 'approved'
            AND EXISTS (SELECT 1 FROM attendance a WHERE a.user_id = ?1 \(scope))
            """, arguments: arguments
        ) { MemberPhoto(stored: try $0.get(0), bytes: $0.bytes(1) ?? []) }
    }

    public func pendingPhotos(in branches: Set<BranchID>?, limit: Int) throws -> [(user: UserID, at: Timestamp)] {
        var arguments: [any SQLiteBindable] = [Int64(limit)]
        var scope = ""
        if let branches {
            arguments.append(SQLMemberStore.jsonList(branches))
            scope =
                "AND p.user_id IN (SELECT user_id FROM user_branches WHERE branch_id IN "
                + "(\(db.dialect.integers(in: "?2"))))"
        }
        return try db.query(
            """
            SELECT p.user_id, p.uploaded_at FROM member_photos p WHERE p.state = 'pending' \(scope)
            ORDER BY p.uploaded_at LIMIT ?1
            """, arguments: arguments
        ) { (UserID(try $0.get(0)), Timestamp(milliseconds: try $0.get(1))) }
    }
}
