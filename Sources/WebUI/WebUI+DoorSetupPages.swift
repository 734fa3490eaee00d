import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Setting a branch's doors as headquarters defines them: the form the doors page (add) and a
/// door's own page (edit) share, the removal with its confirmation, and their routes. Saving
/// replaces every setting of the door, so the form always sends them all.
extension WebUI {
    /// The door form's fields, named as the API names them.
    static let doorFieldNames = [
        "id", "name", "kind", "direction", "mode", "schedule", "cardAndPin", "antiPassback", "reentryDelaySeconds",
        "presenceExpirySeconds",
    ]

    /// What the "Add door" form shows first: the API's defaults.
    static let newDoorValues = [
        "kind": "turnstile", "direction": "both", "mode": "normal", "presenceExpirySeconds": "43200",
    ]

    package func declareDoorSetupPages(_ router: inout Router) {
        add(&router, .post, "/branches/:id/doors", .signedIn) { request in
            let branch = Int64(request.parameter("id")) ?? 0
            let result = request.call(
                .post, "/api/v1/branches/\(branch)/doors", body: Self.doorBody(request, adding: true))
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                return try Self.doors(request, errors: Self.doorErrors(request, result), adding: branch)
            }
            return Self.redirect("/doors?done=added#branch-\(branch)")
        }
        add(&router, .get, "/branches/:id/doors/:door", .signedIn) { request in try Self.doorPage(request) }
        add(&router, .post, "/branches/:id/doors/:door", .signedIn) { request in
            let (branch, door) = Self.doorPath(request)
            let result = request.call(
                .put, "/api/v1/branches/\(branch)/doors/\(door)", body: Self.doorBody(request, adding: false))
            guard result.ok else {
                guard [400, 409].contains(result.status) else { return request.failure(result) }
                return try Self.doorPage(request, errors: Self.doorErrors(request, result))
            }
            return Self.redirect("/doors?done=saved#branch-\(branch)")
        }
        add(&router, .get, "/branches/:id/doors/:door/remove", .signedIn) { request in
            try Self.doorPage(request, removing: true)
        }
        add(&router, .post, "/branches/:id/doors/:door/remove", .signedIn) { request in
            let (branch, door) = Self.doorPath(request)
            let result = request.call(.delete, "/api/v1/branches/\(branch)/doors/\(door)")
            guard result.ok else { return request.failure(result) }
            return Self.redirect("/doors?done=removed#branch-\(branch)")
        }
        declareCalendarPages(&router)
        declareOccupancyPages(&router)
    }

    static func doorPath(_ request: WebRequest) -> (branch: Int64, door: Int64) {
        (Int64(request.parameter("id")) ?? 0, Int64(request.parameter("door")) ?? 0)
    }

    /// A door's page: its settings to edit, or (`removing`) the question before it is removed.
    package static func doorPage(_ request: WebRequest, errors: [String: String] = [:], removing: Bool = false)
        throws -> HTTPResponse
    {
        let t = request.text
        let (branch, id) = doorPath(request)
        guard request.account?.may(.branches, at: BranchID(branch)) == true else {
            return request.failure(APIResult(status: 403, value: nil, headers: []))
        }
        let result = request.call(.get, "/api/v1/branches/\(branch)/doors")
        guard result.ok else { return request.failure(result) }
        guard let door = result.list.first(where: { request.int($0["id"]) == id }) else {
            return request.failure(APIResult(status: 404, value: nil, headers: []))
        }
        let title = "\(t["doors.door"]) \(id) · \(request.branches()[branch]?.name ?? String(branch))"
        let path = "/branches/\(branch)/doors/\(id)"
        if removing {
            let body: HTML = """
                <section class="card"><p><strong>\(request.string(door["name"]))</strong></p>
                <p>\(t["doors.removeAsk"])</p>
                <form method="post" action="\(path)/remove">\(request.csrfField)<p>\
                <button type="submit" class="danger">\(t["doors.remove"])</button> \
                <a href="\(path)">\(t["action.cancel"])</a></p></form></section>
                """
            return request.page(title: "\(t["doors.removeTitle"]) · \(title)", active: "/doors", body: body)
        }
        let body: HTML = """
            <p><a href="/doors#branch-\(branch)">\(t["doors.back"])</a></p>
            <section class="card"><form method="post" action="\(path)">\(request.csrfField)
            \(doorFields(
                request, values: errors.isEmpty ? doorValues(request, door) : doorValues(request), errors: errors,
                idPrefix: "f-", adding: false))
            <p><button type="submit">\(t["action.save"])</button> <a class="button" href="\(path)/remove">\
            \(t["doors.remove"])</a></p></form></section>
            """
        return request.page(title: title, active: "/doors", body: body, status: errors.isEmpty ? 200 : 400)
    }

    /// A door's settings as the form shows them: from the API's definition, or (without one) as
    /// they were typed.
    static func doorValues(_ request: WebRequest, _ door: [String: Any]? = nil) -> [String: String] {
        guard let door else {
            var typed = Dictionary(uniqueKeysWithValues: doorFieldNames.map { ($0, request.field($0)) })
            typed["schedule"] = request.postedSchedule("schedule")
            return typed
        }
        var values: [String: String] = [:]
        for name in doorFieldNames { values[name] = request.string(door[name]) }
        for name in ["cardAndPin", "antiPassback"] { values[name] = (door[name] as? Bool) == true ? "on" : "" }
        return values
    }

    /// The form's fields; `idPrefix` gives each its own id on a page with one form per branch.
    static func doorFields(
        _ request: WebRequest, values: [String: String], errors: [String: String], idPrefix: String, adding: Bool
    ) -> HTML {
        let t = request.text
        func value(_ name: String) -> String { values[name] ?? "" }
        func choice(_ name: String, _ label: String, _ options: [String], words: String) -> HTML {
            request.select(
                name, label, options: options.map { ($0, t["\(words).\($0)"]) }, selected: value(name),
                error: errors[name], id: idPrefix + name)
        }
        func box(_ name: String, _ label: String) -> HTML {
            let id = idPrefix + name
            return """
                <p class="field\(HTML.when(errors[name] != nil, " invalid"))"><label><input type="checkbox" id="\(id)" \
                name="\(name)"\(HTML.when(value(name) == "on", " checked"))> \(label)</label>\
                \(errors[name].map { "<span class=\"error\" id=\"\(id)-error\">\($0)</span>" as HTML } ?? "")</p>
                """
        }
        let number: HTML = HTML.when(
            adding,
            request.input(
                "id", t["doors.numberField"], value: value("id"), type: "number", error: errors["id"],
                attributes: " min=\"1\" step=\"1\"", id: idPrefix + "id"))
        return """
            <div class="row">\(number)
            \(request.input(
                "name", t["field.name"], value: value("name"), required: true, error: errors["name"],
                attributes: " maxlength=\"100\"", id: idPrefix + "name"))
            \(choice("kind", t["doors.kind"], DoorKind.allCases.map(\.rawValue), words: "kind"))
            \(choice("direction", t["doors.direction"], DoorDirection.allCases.map(\.rawValue), words: "direction"))
            \(choice("mode", t["doors.standing"], DoorMode.allCases.map(\.rawValue), words: "mode"))</div>
            \(request.scheduleGrid(
                "schedule", schedule: value("schedule"), retry: false, error: errors["schedule"], idPrefix: idPrefix))
            <p class="muted">\(t["doors.scheduleHint"])</p>
            \(box("cardAndPin", t["doors.cardAndPinField"]))
            \(box("antiPassback", t["doors.antiPassbackField"]))
            <div class="row">\(request.input(
                "reentryDelaySeconds", t["doors.reentryDelay"], value: value("reentryDelaySeconds"), type: "number",
                error: errors["reentryDelaySeconds"], attributes: " min=\"1\" max=\"86400\" step=\"1\"",
                id: idPrefix + "reentryDelaySeconds"))
            \(request.input(
                "presenceExpirySeconds", t["doors.presenceExpiry"], value: value("presenceExpirySeconds"),
                type: "number", error: errors["presenceExpirySeconds"],
                attributes: " min=\"60\" max=\"604800\" step=\"1\"", id: idPrefix + "presenceExpirySeconds"))</div>
            """
    }

    /// The API body from the form: every setting (a PUT replaces them all); an empty schedule is
    /// always open, an empty number the API's default.
    static func doorBody(_ request: WebRequest, adding: Bool) -> [String: Any] {
        var body: [String: Any] = [
            "name": request.field("name"), "kind": request.field("kind"), "direction": request.field("direction"),
            "mode": request.field("mode"), "cardAndPin": request.field("cardAndPin") == "on",
            "antiPassback": request.field("antiPassback") == "on",
        ]
        let schedule = request.postedSchedule("schedule").trimmingCharacters(in: .whitespaces)
        if !schedule.isEmpty { body["schedule"] = schedule }
        for name in (adding ? ["id"] : []) + ["reentryDelaySeconds", "presenceExpirySeconds"] {
            let text = request.field(name).trimmingCharacters(in: .whitespaces)
            // Anything but a whole number goes as it is, so the core refuses it by name.
            if !text.isEmpty { body[name] = Int64(text).map { $0 as Any } ?? text }
        }
        return body
    }

    /// A refusal of the door form beside the field it names, in the page's language.
    static func doorErrors(_ request: WebRequest, _ result: APIResult) -> [String: String] {
        let field = result.erroredField(among: doorFieldNames) ?? "name"
        if result.status == 409 {
            return [field: request.text[field == "id" ? "doors.error.takenNumber" : "doors.error.takenName"]]
        }
        let words = ["kind", "direction", "mode"].contains(field) ? "doors.error.choice" : "doors.error.\(field)"
        return fieldError(request, result, field: field, words: words)
    }

    /// `field`'s error: the words under `words` in the page's language (when there are any), then
    /// the core's own detail, which names the part at fault.
    static func fieldError(_ request: WebRequest, _ result: APIResult, field: String, words: String)
        -> [String: String]
    {
        let error = result.error ?? ""
        let detail = error.hasPrefix("\(field): ") ? String(error.dropFirst(field.count + 2)) : error
        guard WebText.doorTable[words] != nil || WebText.table[words] != nil else { return [field: detail] }
        return [field: "\(request.text[words]) (\(detail))"]
    }
}
