import CoreStorage
import Foundation
import HTTP
import Mail
import PorteroModel

extension Schema {
    static let webhookKinds = Schema.array(
        .string(values: WebhookPolicy.kinds), minItems: 1, maxItems: WebhookPolicy.kinds.count)
    static let webhookURL = Schema.string(pattern: #"^https?://[^\s]+$"#, maxLength: 500)
    static let webhook = named(
        "Webhook",
        .object([
            "id": .id, "url": .text, "kinds": .array(.string(values: WebhookPolicy.kinds), maxItems: 4),
            "branches": .array(.id, maxItems: 1_000), "active": .boolean, "failures": .count,
            "createdAt": .timestamp,
        ]))
    static let webhookWithSecret = named(
        "WebhookWithSecret",
        .object(["webhook": .webhook, "secret": .string(pattern: "^whsec_[0-9a-f]{64}$")]))
    static let webhookDelivery = named(
        "WebhookDelivery",
        .object(
            [
                "id": .id, "webhook": .id, "event": .text,
                "kind": .string(values: WebhookPolicy.kinds + ["test"]),
                "status": .string(values: ["queued", "delivered"]), "attempts": .count, "nextAttemptAt": .timestamp,
                "lastError": .text, "createdAt": .timestamp,
            ],
            optional: ["lastStatus": .integer(minimum: 0, maximum: 999), "deliveredAt": .timestamp]))
}

extension CoreAPI {
    /// Refuses (400, naming the field) a URL that is not https, or http to this machine.
    static func checkWebhookURL(_ text: String) throws -> String {
        let url = text.trimmingCharacters(in: .whitespaces)
        guard url.count <= 500, !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }),
            let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host?.lowercased(), !host.isEmpty
        else { throw AccountError(field: "url", problem: "not an http or https URL") }
        let loopback = MailSettings.isLoopback(host: host)
        switch scheme {
        case "https": return url
        case "http" where loopback: return url
        case "http": throw AccountError(field: "url", problem: "must be https (http only to this machine)")
        default: throw AccountError(field: "url", problem: "must be https (http only to this machine)")
        }
    }

    /// Kinds without repeats, in the policy's order.
    static func checkWebhookKinds(_ kinds: [String]) throws -> [String] {
        guard !kinds.isEmpty, kinds.allSatisfy(WebhookPolicy.kinds.contains) else {
            throw AccountError(
                field: "kinds", problem: "one or more of \(WebhookPolicy.kinds.joined(separator: ", "))")
        }
        return WebhookPolicy.kinds.filter(kinds.contains)
    }

    static func checkWebhookBranches(_ branches: [Int64], _ request: APIRequest) throws -> [Int64] {
        let known = try everyBranch(request.database)
        if let unknown = branches.first(where: { !known.contains(BranchID($0)) }) {
            throw AccountError.notFound("branches", "no branch \(unknown)")
        }
        return Array(Set(branches)).sorted()
    }

    /// The webhook named by the path, or 404; then configuration at every branch, or 403.
    static func webhookToChange(_ request: APIRequest) throws -> Webhook {
        let id = try request.id(what: "webhook")
        guard let hook = try request.database.webhooks.webhook(id) else {
            throw HTTPResponseError(.error(404, "no webhook \(id)"))
        }
        try requireEveryBranch(request, .configuration, nil, reaching: "a webhook (webhooks are chain-wide)")
        return hook
    }

    /// An audit row about a webhook, which concerns every branch (webhooks are chain-wide).
    static func auditWebhook(_ request: APIRequest, _ action: String, _ id: Int64, _ changes: [String: Any] = [:])
        throws
    {
        try request.audit(
            action, target: "webhook:\(id)", changes: changes, concerning: try everyBranch(request.database))
    }

    package static func declareWebhookRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/webhooks", .privilege(.configuration),
            "Webhook endpoints: every one for those with configuration at every branch, otherwise those "
                + "limited to your branches",
            answers: [.json(200, .array(.webhook))]
        ) { request in
            let actor = try request.actor
            let everywhere = try everyBranch(request.database).allSatisfy { actor.may(.configuration, at: $0) }
            return .json(
                try request.database.webhooks.webhooks().filter { hook in
                    everywhere
                        || (!hook.branches.isEmpty
                            && hook.branches.allSatisfy { actor.may(.configuration, at: BranchID($0)) })
                })
        }
        table.add(
            .post, "/api/v1/webhooks", .privilege(.configuration),
            "Register a webhook endpoint (https, or http to this machine); its signing secret is shown only here",
            body: [
                .required("url", .webhookURL), .required("kinds", .webhookKinds),
                .optional("branches", .array(.id, maxItems: 1_000)), .optional("active", .boolean),
            ],
            answers: [.json(201, .webhookWithSecret)]
        ) { request in
            struct Body: Decodable {
                let url: String
                let kinds: [String]
                let branches: [Int64]?
                let active: Bool?
            }
            let body = try request.body(Body.self)
            try requireEveryBranch(request, .configuration, nil, reaching: "a webhook (webhooks are chain-wide)")
            let url = try checkWebhookURL(body.url)
            let kinds = try checkWebhookKinds(body.kinds)
            let branches = try checkWebhookBranches(body.branches ?? [], request)
            let database = request.database
            let (hook, secret) = try database.write {
                let made = try database.webhooks.create(
                    url: url, kinds: kinds, branches: branches, active: body.active ?? true, now: request.now)
                try auditWebhook(
                    request, "webhook.create", made.0.id,
                    ["url": url, "kinds": kinds, "branches": branches, "active": made.0.active])
                return made
            }
            struct Made: Encodable {
                let webhook: Webhook
                let secret: String
            }
            return .json(Made(webhook: hook, secret: secret), status: 201)
        }
        table.add(
            .patch, "/api/v1/webhooks/:id", .privilege(.configuration),
            "Change a webhook's URL, kinds, branches or active flag (activating clears its failures)",
            body: [
                .optional("url", .webhookURL), .optional("kinds", .webhookKinds),
                .optional("branches", .array(.id, maxItems: 1_000)), .optional("active", .boolean),
            ],
            answers: [.json(200, .webhook)]
        ) { request in
            struct Body: Decodable {
                let url: String?
                let kinds: [String]?
                let branches: [Int64]?
                let active: Bool?
            }
            let body = try request.body(Body.self)
            let hook = try webhookToChange(request)
            let url = try body.url.map(checkWebhookURL)
            let kinds = try body.kinds.map(checkWebhookKinds)
            let branches = try body.branches.map { try checkWebhookBranches($0, request) }
            let database = request.database
            let changed = try database.write {
                let changed = try database.webhooks.update(
                    hook.id, url: url, kinds: kinds, branches: branches, active: body.active)
                var changes: [String: Any] = [:]
                if let url { changes["url"] = url }
                if let kinds { changes["kinds"] = kinds }
                if let branches { changes["branches"] = branches }
                if let active = body.active { changes["active"] = active }
                try auditWebhook(request, "webhook.update", hook.id, changes)
                return changed
            }
            return .json(changed)
        }
        table.add(
            .delete, "/api/v1/webhooks/:id", .privilege(.configuration),
            "Remove a webhook and its delivery log", answers: [.noContent]
        ) { request in
            let hook = try webhookToChange(request)
            try request.database.write {
                _ = try request.database.webhooks.delete(hook.id)
                try auditWebhook(request, "webhook.delete", hook.id, ["url": hook.url])
            }
            return HTTPResponse(status: 204)
        }
        table.add(
            .post, "/api/v1/webhooks/:id/rotate", .privilege(.configuration),
            "A new signing secret for a webhook, shown only here; the old one stops signing at once",
            answers: [.json(200, .object(["secret": .string(pattern: "^whsec_[0-9a-f]{64}$")]))]
        ) { request in
            let hook = try webhookToChange(request)
            let secret = try request.database.write {
                let secret = try request.database.webhooks.rotateSecret(hook.id)
                try auditWebhook(request, "webhook.rotate", hook.id)
                return secret ?? ""
            }
            return .json(["secret": secret])
        }
        table.add(
            .post, "/api/v1/webhooks/:id/test", .privilege(.configuration),
            "Queue a test event for a webhook (sent within seconds; see its deliveries)",
            answers: [.json(202, .object(["queued": .count]))]
        ) { request in
            let hook = try webhookToChange(request)
            guard hook.active else {
                throw AccountError.conflict("active", "the webhook is inactive; activate it first")
            }
            let queued = try request.database.write {
                let queued = try request.database.webhooks.record(
                    kind: "test", branches: [], data: ["message": "a test event from Portero"], only: hook.id,
                    now: request.now)
                try auditWebhook(request, "webhook.test", hook.id)
                return queued
            }
            return .json(["queued": queued], status: 202)
        }
        table.add(
            .get, "/api/v1/webhooks/:id/deliveries", .privilege(.configuration),
            "A webhook's delivery log, newest first", query: [.integer("limit", 1...1_000)],
            answers: [.json(200, .array(.webhookDelivery))]
        ) { request in
            let hook = try webhookToChange(request)
            let limit = try request.queryInt("limit", default: 100, range: 1...1_000)
            return .json(try request.database.webhooks.deliveries(of: hook.id, limit: limit))
        }
    }
}
