import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// A day or guest pass as the desk prints or sends it: the subscription it admits on, its signed
/// code and what the holder may do with it.
package struct DayPassView: Encodable, Sendable {
    package var subscription: Int64
    package var code: String
    package var user: Int64
    package var name: String
    package var email: String
    package var plan: String
    package var branch: Int64
    package var startDate: LocalDay
    package var endDate: LocalDay
    /// The plan's visits total (the pass's entries); nil when the plan has none.
    package var entries: Int?
    /// Entries made on it so far, at any branch.
    package var used: Int
    /// The branches it admits at; empty: every branch.
    package var branches: [Int64]

    enum CodingKeys: String, CodingKey {
        case subscription, code, user, name, email, plan, branch, startDate, endDate, entries, used, branches
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subscription, forKey: .subscription)
        try container.encode(code, forKey: .code)
        try container.encode(user, forKey: .user)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(plan, forKey: .plan)
        try container.encode(branch, forKey: .branch)
        try container.encode(startDate, forKey: .startDate)
        try container.encode(endDate, forKey: .endDate)
        try container.encode(entries, forKey: .entries)  // null when the plan counts no entries
        try container.encode(used, forKey: .used)
        try container.encode(branches, forKey: .branches)
    }
}

/// Where a pass was mailed, and the outbox message that carries it.
package struct DayPassSent: Encodable, Sendable {
    package var subscription: Int64
    package var to: String
    package var message: Int64
}

extension Schema {
    static let dayPass = named(
        "DayPass",
        .object([
            "subscription": .id, "code": .string(pattern: "^72[0-9]{172}$"), "user": .id, "name": .text,
            "email": .text, "plan": .text, "branch": .id, "startDate": .date, "endDate": .date,
            "entries": .nullable(.id), "used": .count, "branches": .array(.id),
        ]))
    static let dayPassSent = named("DayPassSent", .object(["subscription": .id, "to": .text, "message": .id]))
}

extension CoreAPI {
    /// The domain guests without an email are given (RFC 2606's `.invalid`: nothing is ever sent there).
    package static let guestMailDomain = "invitados.invalid"

    /// The pass of `subscription` (already checked to be in the caller's scope), with a code
    /// signed now: the chain's key is made on the first one.
    package static func dayPass(_ subscription: SubscriptionView, _ request: APIRequest) throws -> DayPassView {
        let database = request.database
        guard let holder = try database.accounts.account(UserID(subscription.userID)) else {
            throw HTTPResponseError(.error(404, "no such subscription"))
        }
        let counted: (Int64?, Int64)? = try database.db.queryFirst(
            """
            SELECT v.visits_total, (SELECT count(*) FROM attendance a WHERE a.subscription_id = s.id
                AND a.granted = 1 AND a.direction = 'in')
            FROM subscriptions s JOIN plan_versions v ON v.id = s.plan_version_id WHERE s.id = ?
            """, subscription.id, map: { ($0.int64(0), try $0.get(1)) })
        // A code is a bearer pass: only for a pass (a plan with a visits total) that can still admit,
        // never for a membership.
        guard counted?.0 != nil else {
            throw AccountError.conflict(
                "subscription", "\(subscription.planName) is not a pass plan: it has no visits total")
        }
        // Judged on the selling branch's own day.
        if subscription.status == "cancelled" {
            throw AccountError.conflict("subscription", "the pass is cancelled")
        }
        // The door admits through the plan's grace days too: the ticket shows that last day.
        let lastDay = subscription.effectiveEndDate.adding(days: max(0, subscription.graceDays))
        if lastDay < request.today(BranchID(subscription.branch)) {
            throw AccountError.conflict("subscription", "the pass is expired")
        }
        if let entries = counted?.0, (counted?.1 ?? 0) >= entries {
            throw AccountError.conflict("subscription", "every entry of the pass is used")
        }
        let code = try DayPassKey.code(for: SubscriptionID(subscription.id), database.db)
        return DayPassView(
            subscription: subscription.id, code: code.text, user: holder.id.rawValue,
            name: [holder.name, holder.paternalSurname, holder.maternalSurname].filter { !$0.isEmpty }.joined(
                separator: " "),
            email: holder.email.hasSuffix("@" + guestMailDomain) ? "" : holder.email, plan: subscription.planName,
            branch: subscription.branch, startDate: subscription.startDate, endDate: lastDay,
            entries: counted?.0.map { Int($0) }, used: Int(counted?.1 ?? 0),
            branches: try database.sales.plan(subscription.planID)?.branches ?? [])
    }

    /// Day and guest passes: a subscription's signed code for the ticket or the email, and the
    /// desk's sale of a pass to a member or a new guest.
    package static func declareDayPassRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/subscriptions/:id/pass", .privilege(.subscriptions),
            "Issue the pass of a subscription sold at one of your branches: its signed 174-digit code for the doors, "
                + "the holder, dates, entries and branches (each issue is audited: the code is a bearer pass)",
            answers: [.json(200, .dayPass)]
        ) { request in
            let subscription = try subscriptionTarget(request)
            let pass = try request.database.write {
                let pass = try dayPass(subscription, request)
                try request.audit(
                    "pass.issue", target: "subscription:\(subscription.id)", changes: ["user": pass.user])
                return pass
            }
            return .json(pass)
        }
        table.add(
            .post, "/api/v1/subscriptions/:id/pass/send", .privilege(.subscriptions),
            "Email a subscription's pass to its holder: the code's digits with the plan, dates and entries in words "
                + "(in the holder's language); 409 when the holder has no email",
            answers: [.json(202, .dayPassSent)]
        ) { request in
            let subscription = try subscriptionTarget(request)
            let sent = try request.database.write { () -> (String, Int64) in
                let pass = try dayPass(subscription, request)
                guard !pass.email.isEmpty else {
                    throw AccountError.conflict("email", "the holder has no email address; print the pass instead")
                }
                let language =
                    try request.database.db.queryFirst(
                        "SELECT language FROM users WHERE id = ?", pass.user, map: { try $0.get(0) as String }) ?? "es"
                let branchNames = try request.database.accounts.branches().reduce(into: [Int64: String]()) {
                    $0[$1.id.rawValue] = $1.name
                }
                let (subject, text) = MailTemplates.dayPass(
                    language: language, pass, branchNames: pass.branches.compactMap { branchNames[$0] })
                let message = try request.database.mail.enqueue(
                    user: pass.user, to: pass.email, kind: "day_pass", subject: subject, body: text, now: request.now)
                try request.audit(
                    "pass.send", target: "subscription:\(subscription.id)",
                    changes: ["user": pass.user, "to": pass.email, "message": message])
                return (pass.email, message)
            }
            request.api.mailWaiting.signal()
            return .json(DayPassSent(subscription: subscription.id, to: sent.0, message: sent.1), status: 202)
        }
        declareDayPassSaleRoute(&table)
    }
}
