import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// A request that passed authentication and authorisation, with a database connection lent to it.
public struct APIRequest {
    public let context: RouteContext
    public let route: APIRoute
    public var session: Session?
    public var device: Device?
    /// The branch the request is scoped to (`?branch=`), already checked against the session.
    public var branch: BranchID?
    public let now: Timestamp
    public let database: CoreDatabase
    /// Cookies get `Secure`: the core was told it is served over TLS, or a trusted proxy in front
    /// says so with `X-Forwarded-Proto: https`.
    public let secureCookies: Bool
    /// How long a new device enrolment code stays valid.
    public let enrollmentCodeSeconds: Int64
    /// The API itself, for long polls (its notifier and the answers they wait for).
    package let api: CoreAPI
    /// The core's own time zone, for "today" when no branch says otherwise.
    public let timeZone: String

    /// Today in `branch`'s time zone, or in the core's.
    public func today(_ branch: BranchID?) -> LocalDay { zone(branch).localDay(at: now) }

    /// The branch's time zone (the core's own when there is no branch or it is gone).
    public func zone(_ branch: BranchID?) -> ZoneRules {
        if let branch, let zone = try? database.accounts.branch(branch)?.timeZone {
            return ZoneCache.rules(zone)
        }
        // The chain's configured zone, else the core's own.
        return ZoneCache.rules((try? database.settings.chain().timeZone) ?? timeZone)
    }

    /// The signed-in account (privilege and signed-in routes always have one).
    public var actor: Account {
        get throws(HTTPResponseError) {
            guard let account = session?.account else { throw HTTPResponseError(.error(401, "sign in first")) }
            return account
        }
    }

    /// The JSON body, accepting exactly the route's declared fields.
    public func body<T: Decodable>(_ type: T.Type) throws(HTTPResponseError) -> T {
        try JSONBody.decode(
            type, from: context.request, allowedFields: Set(route.body.map(\.name)),
            nullableFields: Set(route.body.filter(\.schema.isNullable).map(\.name)))
    }

    /// A path parameter that must be a positive whole number, or a 404 (no such thing).
    public func id(_ name: String = "id", what: String) throws(HTTPResponseError) -> Int64 {
        guard let number = Int64(try context.parameter(name)), number > 0 else {
            throw HTTPResponseError(.error(404, "no such \(what)"))
        }
        return number
    }

    /// A query parameter's value (percent-decoded), if present.
    public func query(_ name: String) -> String? {
        CoreAPI.queryValue(name, in: context.request.query)
    }

    /// A whole-number query parameter within `range`, else a 400 naming it.
    public func queryInt(_ name: String, default value: Int, range: ClosedRange<Int>) throws(HTTPResponseError) -> Int {
        guard let text = query(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw HTTPResponseError(
                .error(
                    400,
                    "query parameter \(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
        }
        return number
    }

    /// A `true`/`false` query parameter; nil when absent.
    public func queryFlag(_ name: String) throws(HTTPResponseError) -> Bool? {
        switch query(name) {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw HTTPResponseError(.error(400, "query parameter \(name) must be true or false"))
        }
    }

    /// Appends to the audit trail as the caller (inside the caller's write transaction). The row
    /// is about `branches`, or when not given the branches of what `target` names
    /// (`CoreAPI.branches(concerning:)`): they decide who sees it in the listing.
    public func audit(
        _ action: String, target: String, changes: [String: Any] = [:], concerning branches: Set<BranchID>? = nil
    ) throws {
        let actor = session.map(Authenticator.auditActor) ?? device.map { "device:\($0.id)" } ?? "anonymous"
        _ = try database.audit.append(
            actor: actor, action: action, target: target, changes: AuditChanges.json(changes),
            concerning: try branches ?? CoreAPI.branches(concerning: target, self), at: now)
    }
}

extension CoreAPI {
    /// Why something was done by hand, as `Schema.reason` states it: at most 200 characters as
    /// sent and at least 3 once the blanks around it are taken off, both counted in code points as
    /// JSON Schema counts; kept without those blanks.
    static func checkReason(_ text: String) throws -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Code points both ways: "0" and a skin-tone modifier are one Swift Character but two here.
        guard text.unicodeScalars.count <= 200, reason.unicodeScalars.count >= 3 else {
            throw AccountError(field: "reason", problem: "say why, in 3 to 200 characters")
        }
        return reason
    }
}
