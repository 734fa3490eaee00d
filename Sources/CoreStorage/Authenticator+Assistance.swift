import Crypto
import Foundation
import PorteroModel
import SQLite

/// Assisted sessions: a session row of the assisted user that points at its support request.
extension Authenticator {
    /// The columns after the account's in `sessionSQL` (from column 13): the request the session
    /// belongs to (NULL for an ordinary session), its support user, the end, and the support
    /// user's name while their account is active and holds a role with the support privilege
    /// (NULL once it does not: a support user deactivated or demoted ends the session at once).
    static let assistanceColumns = """
        s.assistance_id, a.support_user_id, a.ends_at,
        (SELECT su.name || ' ' || su.paternal_surname FROM users su WHERE su.id = a.support_user_id AND su.active = 1
            AND EXISTS (SELECT 1 FROM user_roles sr WHERE sr.user_id = su.id AND sr.role IN (\(supportRoles))))
        """

    /// The roles the default matrix gives the support privilege, as an SQL list of literals.
    static let supportRoles = (PrivilegeMatrix.seed003.grants[.support] ?? []).map { "'\($0.rawValue)'" }.sorted()
        .joined(separator: ", ")

    /// The assistance of a session row. A session of a request that is no longer active, or
    /// whose support user was deactivated, reads as one already over, so it is refused and
    /// removed like an expired one.
    static func assistance(_ row: any SQLRow, at first: Int32) throws -> Assistance? {
        guard let id = row.int64(first) else { return nil }
        guard let support = row.int64(first + 1), let ends = row.int64(first + 2), !row.isNull(first + 3) else {
            return Assistance(id: id, supportUser: UserID(0), supportName: "", endsAt: Timestamp(milliseconds: 0))
        }
        return Assistance(
            id: id, supportUser: UserID(support), supportName: try row.get(first + 3),
            endsAt: Timestamp(milliseconds: ends))
    }

    /// Opens the support user's session acting as `user` for the active request `request`: a
    /// new cookie token (returned once; only its hash is kept) and its CSRF token.
    public func openAssistedSession(_ request: SupportRequest, now: Timestamp) throws
        -> (token: String, session: Session)
    {
        guard request.status == .active, let endsAt = request.endsAt,
            let account = try accounts.account(request.user), account.active
        else { throw AuthFailure.sessionExpired }
        let token = Self.base64URL(try SecureRandom.bytes(32))
        let csrf = Self.base64URL(try SecureRandom.bytes(24))
        try db.run(
            """
            INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, assistance_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            Digest.sha256(Array(token.utf8)), account.id.rawValue, csrf, now.milliseconds, now.milliseconds,
            request.id)
        let assistance = Assistance(
            id: request.id, supportUser: request.supportUser, supportName: request.supportName, endsAt: endsAt)
        return (token, Session(account: account, csrfToken: csrf, assistance: assistance))
    }

    /// Records that an assisted session reached its end (a request of it came after, or a new
    /// request for its user): the request ends, by the deadline, its sessions go, and the trail
    /// says so once.
    package func endAssistanceAtDeadline(_ assistance: Assistance, now: Timestamp) throws {
        try db.transaction {
            let changed = try db.run(
                """
                UPDATE support_requests SET status = 'ended', ended_at = ends_at, ended_by = 'deadline'
                WHERE id = ? AND status = 'active' AND ends_at <= ?
                """, assistance.id, now.milliseconds)
            guard changed == 1, let request = try SQLSupportStore(connection: db).request(assistance.id) else { return }
            try db.run("DELETE FROM sessions WHERE assistance_id = ?", assistance.id)
            _ = try audit.append(
                actor: "system", action: "support.session_expired", target: "user:\(request.user)",
                changes: AuditChanges.json([
                    "request": request.id, "support": "user:\(request.supportUser)",
                    "ends_at": assistance.endsAt.milliseconds,
                ]),
                concerning: try branches(of: request.user), at: now)
        }
    }

    /// The audit actor of a request made in `session`: `user:Y`, or `support:X for user:Y`
    /// inside an assisted session. Fixed by the code; nothing a client sends changes it.
    public static func auditActor(_ session: Session) -> String {
        guard let assistance = session.assistance else { return "user:\(session.account.id)" }
        return "support:\(assistance.supportUser) for user:\(session.account.id)"
    }
}
