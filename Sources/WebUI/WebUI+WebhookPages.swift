import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// Webhooks: the list with a form for a new endpoint (its secret shown once, on the page that
/// answers the form), and an endpoint's page to change its URL, kinds, branches and active flag,
/// send a test event, rotate its secret, remove it, and read its delivery log.
extension WebUI {
    static let webhookFieldNames = ["url", "kinds", "branches", "active"]

    func declareWebhookPages(_ router: inout Router) {
        add(&router, .get, "/webhooks", .signedIn) { request in try Self.webhooks(request) }
        add(&router, .post, "/webhooks", .signedIn) { request in
            let result = request.call(.post, "/api/v1/webhooks", body: Self.webhookBody(request))
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                return try Self.webhooks(request, errors: Self.webhookErrors(result))
            }
            return try Self.webhooks(request, secret: request.string(result.object["secret"]))
        }
        add(&router, .get, "/webhooks/:id", .signedIn) { request in try Self.webhookPage(request) }
        add(&router, .post, "/webhooks/:id", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.patch, "/api/v1/webhooks/\(id)", body: Self.webhookBody(request))
            guard result.ok else {
                guard [400, 404, 409].contains(result.status) else { return request.failure(result) }
                return try Self.webhookPage(request, errors: Self.webhookErrors(result))
            }
            return Self.redirect("/webhooks/\(id)?done=saved")
        }
        add(&router, .post, "/webhooks/:id/test", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.post, "/api/v1/webhooks/\(id)/test", body: [:])
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/webhooks/\(id)?done=tested")
        }
        add(&router, .post, "/webhooks/:id/rotate", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.post, "/api/v1/webhooks/\(id)/rotate", body: [:])
            guard result.ok else { return request.failure(result) }
            return try Self.webhookPage(request, secret: request.string(result.object["secret"]))
        }
        add(&router, .post, "/webhooks/:id/delete", .signedIn) { request in
            let id = Int64(request.parameter("id")) ?? 0
            let result = request.call(.delete, "/api/v1/webhooks/\(id)")
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/webhooks?done=removed")
        }
    }

    /// The secret, once, with what it is for.
    static func secretNotice(_ request: WebRequest, _ secret: String) -> HTML {
        guard !secret.isEmpty else { return "" }
        return """
            <section class="card" id="webhook-secret"><h2>\(request.text["webhooks.secret"])</h2>\
            <p><code>\(secret)</code></p><p class="muted">\(request.text["webhooks.secretHint"])</p></section>
            """
    }

    package static func webhooks(_ request: WebRequest, errors: [String: String] = [:], secret: String = "") throws
        -> HTTPResponse
    {
        let t = request.text
        let result = request.call(.get, "/api/v1/webhooks")
        guard result.ok else { return request.failure(result) }
        let branches = request.branches()
        let rows: [[HTML]] = result.list.map { hook in
            let id = request.string(hook["id"])
            return [
                "<a href=\"/webhooks/\(id)\">\(request.string(hook["url"]))</a>",
                "\(kindNames(request, hook["kinds"]))", "\(branchNames(request, hook["branches"], branches))",
                "\((hook["active"] as? Bool) == true ? t["yes"] : t["no"])", "\(request.string(hook["failures"]))",
            ]
        }
        let notice = request.query("done").map { _ in t["webhooks.removed"] }
        let values = errors.isEmpty ? ["active": "on"] : webhookValues(request)
        let body: HTML = """
            \(secretNotice(request, secret))
            <p class="muted">\(t["webhooks.hint"])</p>
            \(rows.isEmpty ? "<p>\(t["webhooks.none"])</p>" as HTML : request.table(
                [t["webhooks.url"], t["webhooks.kinds"], t["webhooks.branches"], t["field.active"],
                 t["webhooks.failures"]], rows))
            <section class="card"><h2>\(t["webhooks.new"])</h2>\
            <form method="post" action="/webhooks">\(request.csrfField)
            \(webhookFields(request, values: values, errors: errors))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>
            """
        return request.page(
            title: t["webhooks.title"], active: "/webhooks", body: body, status: errors.isEmpty ? 200 : 400,
            notice: notice)
    }

    package static func webhookPage(_ request: WebRequest, errors: [String: String] = [:], secret: String = "")
        throws -> HTTPResponse
    {
        let t = request.text
        let id = Int64(request.parameter("id")) ?? 0
        let result = request.call(.get, "/api/v1/webhooks")
        guard result.ok else { return request.failure(result) }
        guard let hook = result.list.first(where: { request.int($0["id"]) == id }) else {
            return request.page(title: t["webhooks.title"], body: "<p>\(t["webhooks.unknown"])</p>", status: 404)
        }
        let deliveries = request.call(.get, "/api/v1/webhooks/\(id)/deliveries", query: [("limit", "50")])
        let zone = request.ui.api.chainTimeZone()
        let rows: [[HTML]] = deliveries.list.map { delivery in
            let created = request.int(delivery["createdAt"]).map { t.dateTime(Timestamp(milliseconds: $0), zone: zone) }
            return [
                "\(t["webhooks.kind.\(request.string(delivery["kind"]))"])",
                "\(t["webhooks.status.\(request.string(delivery["status"]))"])",
                "\(request.string(delivery["attempts"]))", "\(request.string(delivery["lastStatus"]))",
                "\(request.string(delivery["lastError"]))", "\(created ?? "")",
            ]
        }
        let values = errors.isEmpty ? webhookValues(request, hook) : webhookValues(request)
        let notice = request.query("done").map { t["webhooks.\($0 == "tested" ? "tested" : "saved")"] }
        let body: HTML = """
            <p><a href="/webhooks">\(t["webhooks.back"])</a></p>
            \(secretNotice(request, secret))
            <section class="card"><form method="post" action="/webhooks/\(id)">\(request.csrfField)
            \(webhookFields(request, values: values, errors: errors))
            <p><button type="submit">\(t["action.save"])</button></p></form></section>
            <div class="actions"><form method="post" action="/webhooks/\(id)/test">\(request.csrfField)\
            <button type="submit">\(t["webhooks.test"])</button></form> \
            <form method="post" action="/webhooks/\(id)/rotate">\(request.csrfField)\
            <button type="submit">\(t["webhooks.rotate"])</button></form> \
            <form method="post" action="/webhooks/\(id)/delete">\(request.csrfField)\
            <button type="submit" class="danger">\(t["webhooks.delete"])</button></form></div>
            <h2>\(t["webhooks.deliveries"])</h2>
            \(rows.isEmpty ? "<p>\(t["webhooks.noDeliveries"])</p>" as HTML : request.table(
                [t["webhooks.kind"], t["webhooks.statusColumn"], t["webhooks.attempts"], "HTTP",
                 t["webhooks.error"], t["webhooks.created"]], rows))
            """
        return request.page(
            title: "\(t["webhooks.title"]) · \(request.string(hook["url"]))", active: "/webhooks", body: body,
            status: errors.isEmpty ? 200 : 400, notice: notice)
    }

    static func kindNames(_ request: WebRequest, _ kinds: Any?) -> String {
        ((kinds as? [Any]) ?? []).map { request.text["webhooks.kind.\(request.string($0))"] }.joined(separator: ", ")
    }

    static func branchNames(_ request: WebRequest, _ ids: Any?, _ branches: [Int64: (name: String, zone: String)])
        -> String
    {
        let names = ((ids as? [Any]) ?? []).compactMap { request.int($0).flatMap { branches[$0]?.name } }
        return names.isEmpty ? request.text["promotions.allBranches"] : names.joined(separator: ", ")
    }

    /// The form's values: from the API's webhook, or (without one) as they were typed.
    static func webhookValues(_ request: WebRequest, _ hook: [String: Any]? = nil) -> [String: String] {
        guard let hook else {
            return [
                "url": request.field("url"), "kinds": request.fields("kinds").joined(separator: ","),
                "branches": request.fields("branches").joined(separator: ","), "active": request.field("active"),
            ]
        }
        return [
            "url": request.string(hook["url"]),
            "kinds": ((hook["kinds"] as? [Any]) ?? []).map { request.string($0) }.joined(separator: ","),
            "branches": ((hook["branches"] as? [Any]) ?? []).map { request.string($0) }.joined(separator: ","),
            "active": (hook["active"] as? Bool) == true ? "on" : "",
        ]
    }

    static func webhookFields(_ request: WebRequest, values: [String: String], errors: [String: String]) -> HTML {
        let t = request.text
        func boxes(_ name: String, _ label: String, _ options: [(String, String)]) -> HTML {
            let chosen = Set((values[name] ?? "").split(separator: ",").map(String.init))
            let items: [HTML] = options.map { option in
                """
                <label><input type="checkbox" name="\(name)" value="\(option.0)"\
                \(HTML.when(chosen.contains(option.0), " checked"))> \(option.1)</label> 
                """
            }
            return """
                <fieldset class="field\(HTML.when(errors[name] != nil, " invalid"))" id="f-\(name)">\
                <legend>\(label)</legend>\(items)\
                \(errors[name].map { "<span class=\"error\" id=\"f-\(name)-error\">\($0)</span>" as HTML } ?? "")\
                </fieldset>
                """
        }
        let branchOptions = request.branches().sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        return """
            \(request.input(
                "url", t["webhooks.url"], value: values["url"] ?? "", type: "url", required: true,
                error: errors["url"], attributes: " maxlength=\"500\""))
            \(boxes("kinds", t["webhooks.kinds"], WebhookPolicy.kinds.map { ($0, t["webhooks.kind.\($0)"]) }))
            \(boxes("branches", t["webhooks.branchesHint"], branchOptions))
            <p><label><input type="checkbox" name="active"\(HTML.when(values["active"] == "on", " checked"))> \
            \(t["field.active"])</label></p>
            """
    }

    /// The API body from the form: every field, so emptied branches mean every branch.
    static func webhookBody(_ request: WebRequest) -> [String: Any] {
        [
            "url": request.field("url").trimmingCharacters(in: .whitespaces), "kinds": request.fields("kinds"),
            "branches": request.fields("branches").compactMap { Int64($0) },
            "active": request.field("active") == "on",
        ]
    }

    /// A refusal beside the field it names, with the core's words.
    static func webhookErrors(_ result: APIResult) -> [String: String] {
        let field = result.erroredField(among: webhookFieldNames) ?? "url"
        let error = result.error ?? ""
        return [field: error.hasPrefix("\(field): ") ? String(error.dropFirst(field.count + 2)) : error]
    }
}
