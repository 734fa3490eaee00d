import Foundation
import PorteroModel
import SQLite

/// What a notification is about, which decides whom it reaches and how (each user's preferences).
public enum NotificationKind: String, Sendable, Codable, CaseIterable {
    /// Door alarms (held open, forced, duress) and remote door commands.
    case door
    /// Branch controllers gone silent, or with an old replica, and back.
    case device
    /// Changes made at a branch's desk that headquarters refused.
    case desk
    /// Messages staff send.
    case announcement
    case other

    /// The kind of a notification raised by `source`.
    public init(source: String) {
        switch source {
        case "admin": self = .announcement
        case "door": self = .door
        case "sync": self = .desk
        case let text where text.hasPrefix("device:"): self = .device
        default: self = .other
        }
    }
}

/// How one kind of notification reaches a user: in the web UI (the default) and by email (only
/// when asked).
public struct NotificationPreference: Hashable, Sendable, Codable {
    public var kind: NotificationKind
    public var inApp: Bool
    public var email: Bool

    public init(kind: NotificationKind, inApp: Bool = true, email: Bool = false) {
        self.kind = kind
        self.inApp = inApp
        self.email = email
    }
}

/// Each user's choice of which kinds reach them in the web UI and which by email.
public protocol NotificationPreferenceStore {
    /// Every kind, with the user's choice or the default.
    func preferences(of user: UserID) throws -> [NotificationPreference]
    /// Replaces the choices given (kinds not given keep theirs).
    func setPreferences(_ preferences: [NotificationPreference], of user: UserID) throws
}

extension SQLOperationsStore: NotificationPreferenceStore {
    public func preferences(of user: UserID) throws -> [NotificationPreference] {
        let chosen = try db.query(
            "SELECT kind, in_app, email FROM notification_preferences WHERE user_id = ?", user.rawValue
        ) { row -> NotificationPreference? in
            guard let kind = NotificationKind(rawValue: try row.get(0)) else { return nil }
            return NotificationPreference(kind: kind, inApp: try row.get(1), email: try row.get(2))
        }.compactMap { $0 }
        return NotificationKind.allCases.map { kind in
            chosen.first { $0.kind == kind } ?? NotificationPreference(kind: kind)
        }
    }

    public func setPreferences(_ preferences: [NotificationPreference], of user: UserID) throws {
        try db.transaction {
            for preference in preferences {
                try db.run(
                    """
                    INSERT INTO notification_preferences (user_id, kind, in_app, email) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user_id, kind) DO UPDATE SET in_app = excluded.in_app, email = excluded.email
                    """, user.rawValue, preference.kind.rawValue, preference.inApp ? 1 : 0, preference.email ? 1 : 0)
            }
        }
    }

    /// Emails a notification just posted to everyone it reaches who asked for its kind by email
    /// (into the outbox, in the poster's transaction).
    func emailNotification(
        audience: NotificationAudience, kind: NotificationKind, title: String, body: String, now: Timestamp
    ) throws {
        var audienceName = "system", role = "", target: Int64 = -1, branch: Int64 = -1
        switch audience {
        case .system: break
        case let .role(value, branch: place):
            (audienceName, role, branch) = ("role", value.rawValue, place?.rawValue ?? -1)
        case let .user(id): (audienceName, target) = ("user", id.rawValue)
        }
        let recipients = try db.query(
            """
            SELECT u.id, u.email, u.name, u.language FROM users u
            JOIN notification_preferences p ON p.user_id = u.id AND p.kind = ?1 AND p.email = 1
            WHERE u.active = 1 AND u.email <> '' AND (?2 = 'system'
                OR (?2 = 'user' AND u.id = ?3)
                OR (?2 = 'role' AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?4)
                    AND (?5 = -1
                        OR EXISTS (SELECT 1 FROM user_branches b WHERE b.user_id = u.id AND b.branch_id = ?5))))
            ORDER BY u.id
            """, kind.rawValue, audienceName, target, role, branch
        ) { (UserID(try $0.get(0)), try $0.get(1) as String, try $0.get(2) as String, try $0.get(3) as String) }
        let mail = try SQLMailStore(connection: db)
        for (user, email, name, language) in recipients {
            let footer =
                language == "en"
                ? "You get this by email because you asked for it; change it in your settings in Portero."
                : "Te llega por correo porque lo pediste; cámbialo en tu configuración de Portero."
            let greeting = language == "en" ? "Hello \(name)," : "Hola \(name):"
            _ = try mail.enqueue(
                user: user.rawValue, to: email, kind: "notification:\(kind.rawValue)", subject: title,
                body: "\(greeting)\n\n\(title)\n\n\(body)\n\n\(footer)\n", now: now)
        }
    }
}
