import CoreStorage
import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The headquarters pages that a failed form shows again with its errors: notifications, devices and
/// door commands, plans, branches, agreements.
extension WebUI {
    package static func notifications(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let filter =
            ["unread", "urgent"].contains(request.query("filter") ?? "") ? request.query("filter") ?? "all" : "all"
        let result = request.call(.get, "/api/v1/notifications", query: [("filter", filter)])
        guard result.ok else { return request.failure(result) }
        let zone = request.ui.api.chainTimeZone()
        let items: [HTML] = result.list.map { note in
            let read = (note["read"] as? Bool) == true
            let at =
                request.int(note["createdAt"]).map {
                    t.dateTime(Timestamp(milliseconds: $0), zone: zone)
                } ?? ""
            return """
                <li class="\(read ? "read" : "unread") \(request.string(note["level"]))"><strong>\
                \(request.string(note["title"]))</strong> <time>\(at)</time>\
                <p>\(request.string(note["body"]))</p>\
                \(HTML.when(
                    !read,
                    request.button(
                        "/notifications/\(request.string(note["id"]))/read", t["action.markRead"],
                        style: "small")))</li>
                """
        }
        let tabs: [HTML] = [
            ("all", "notifications.all"), ("unread", "notifications.unread"), ("urgent", "notifications.urgent"),
        ].map { tab in
            """
            <a href="/notifications?filter=\(tab.0)"\(HTML.when(filter == tab.0, " aria-current=\"page\""))>\(t[tab.1])\
            </a>
            """
        }
        let send: HTML = HTML.when(
            request.may(.configuration),
            """
            <details\(HTML.when(!errors.isEmpty, " open"))><summary>\(t["notifications.new"])</summary>\
            <form method="post" action="/notifications">\(request.csrfField)
            \(request.input(
                "title", t["notifications.titleField"], value: request.field("title"), required: true,
                error: errors["title"]))
            \(request.input("body", t["notifications.body"], value: request.field("body"), error: errors["body"]))
            \(request.select(
                "level", t["notifications.level"], options: [("info", "info"), ("urgent", "urgent")],
                selected: request.field("level"), error: errors["level"]))
            <p><button type="submit">\(t["action.create"])</button></p></form></details>
            """)
        let body: HTML = """
            <nav class="tabs" aria-label="\(t["notifications.title"])">\(tabs)</nav>
            <p>\(request.button("/notifications/read", t["action.markAll"]))</p>
            \(items.isEmpty ? "<p>\(t["notifications.none"])</p>" as HTML : "<ul class=\"notifications\">\(items)</ul>")
            \(send)
            """
        return request.page(title: t["notifications.title"], body: body, status: errors.isEmpty ? 200 : 400)
    }

    package static func devices(_ request: WebRequest, errors: [String: String] = [:], code: String? = nil) throws
        -> HTTPResponse
    {
        let t = request.text
        let result = request.call(.get, "/api/v1/devices")
        guard result.ok else { return request.failure(result) }
        let branches = request.branches()
        let rows: [[HTML]] = result.list.map { device in
            let id = request.string(device["id"])
            let zone = request.int(device["branch"]).flatMap { branches[$0]?.zone } ?? "UTC"
            let seen =
                request.int(device["lastSeen"]).map { t.dateTime(Timestamp(milliseconds: $0), zone: zone) }
                ?? t["devices.never"]
            let age = request.int(device["replicaAgeSeconds"]).map { t.ago(seconds: $0) } ?? "—"
            let revoked = device["revokedAt"] != nil
            return [
                "\(request.string(device["name"]))",
                "\(request.int(device["branch"]).flatMap { branches[$0]?.name } ?? "")", "\(seen)", "\(age)",
                "<span class=\"number\">\(request.string(device["outboxDepth"]))</span>",
                "\(request.string(device["softwareVersion"]))",
                revoked
                    ? "\(t["status.revoked"])"
                    : HTML.join(
                        [
                            request.button("/devices/\(id)/code", t["action.newCode"], style: "small"),
                            request.button("/devices/\(id)/revoke", t["action.revoke"], style: "small danger"),
                        ], separator: " "),
            ]
        }
        let branchOptions = branches.sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        let body: HTML = """
            \(code.map {
                """
                <p class="notice" role="status">\(t["devices.codeShown"])<code class="code">\($0)</code></p>
                """ as HTML
            } ?? "")
            \(request.table(
                [t["field.device"], t["field.branch"], t["field.lastSeen"], t["field.replicaAge"], t["field.outbox"],
                 t["devices.version"], t["devices.actions"]],
                rows))
            <section class="card"><h2>\(t["devices.add"])</h2><form method="post" action="/devices" class="row">\
            \(request.csrfField)
            \(request.input(
                "name", t["field.name"], value: code == nil ? request.field("name") : "", required: true,
                error: errors["name"]))
            \(request.select(
                "branch", t["field.branch"], options: branchOptions, selected: request.field("branch"),
                error: errors["branch"]))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>

            """
        return request.page(
            title: t["devices.title"], active: "/devices", body: body, status: errors.isEmpty ? 200 : 400,
            notice: nil)
    }

    package static func plans(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/plans")
        guard result.ok else { return request.failure(result) }
        let branches = request.branches()
        let rows: [[HTML]] = result.list.map { plan in
            let covered = request.coveredBranches(
                ((plan["branches"] as? [NSNumber]) ?? []).map(\.int64Value), visible: branches)
            let windows = request.string(plan["windows"])
            let id = request.string(plan["id"])
            let retry = request.field("plan") == id
            let price =
                (plan["price"] as? [String: Any]).flatMap { request.int($0["minorUnits"]) }.map {
                    String(format: "%.2f", Double($0) / 100)
                } ?? ""
            let active = retry ? request.field("active") == "on" : (plan["active"] as? Bool) == true
            let edit: HTML = HTML.when(
                request.may(.configuration),
                """
                <details\(HTML.when(retry && !errors.isEmpty, " open"))><summary>\(t["action.edit"])</summary>\
                <form method="post" action="/plans/\(id)">\(request.csrfField)
                <input type="hidden" name="plan" value="\(id)">
                \(request.input(
                    "price-\(id)", t["field.price"], value: retry ? request.field("price-\(id)") : price,
                    error: retry ? errors["priceMinor"] : nil, attributes: " inputmode=\"decimal\""))
                \(request.scheduleGrid(
                    "windows-\(id)", schedule: windows, retry: retry, error: retry ? errors["windows"] : nil))
                <p><label><input type="checkbox" name="active"\(HTML.when(active, " checked"))> \(t["field.active"])\
                </label></p>
                <p><label><input type="checkbox" name="applyToExisting"> \(t["plans.applyToExisting"])</label></p>
                <p><button type="submit">\(t["action.save"])</button></p></form></details>
                """)
            return [
                "\(request.string(plan["name"]))", "\(request.money(plan["price"]))",
                "\(request.planDuration(plan))", "\(covered)",
                "\(windows.isEmpty ? t["plans.anyTime"] : t.scheduleWords(windows))", "\(request.planVisits(plan))",
                "\((plan["active"] as? Bool) == true ? t["yes"] : t["no"])", edit,
            ]
        }
        let branchOptions = branches.sorted { $0.key < $1.key }.map { (String($0.key), $0.value.name) }
        let body: HTML = """
            \(request.table(
                [t["field.name"], t["field.price"], t["plans.duration"], t["field.branches"], t["plans.hours"],
                 t["plans.visitsHeader"], t["field.active"], ""],
                rows))
            \(HTML.when(request.may(.configuration), """
            <section class="card"><h2>\(t["plans.new"])</h2><form method="post" action="/plans">\(request.csrfField)
            \(request.input(
                "name", t["field.name"], value: request.field("name"), required: true, error: errors["name"]))
            \(request.input(
                "price", t["field.price"], value: request.field("price"), required: true, error: errors["priceMinor"],
                attributes: " inputmode=\"decimal\""))
            \(request.input(
                "currency", t["field.currency"], value: request.field("currency").isEmpty ? "MXN" : request.field("currency"),
                error: errors["currency"]))
            \(request.input(
                "months", t["field.months"], value: request.field("months").isEmpty ? "1" : request.field("months"),
                type: "number", error: errors["durationMonths"]))
            \(request.scheduleGrid(
                "windows", schedule: "", retry: !request.field("windows-grid").isEmpty, error: errors["windows"]))
            \(request.input(
                "visitsPerMonth", t["field.visits"], value: request.field("visitsPerMonth"), type: "number",
                error: errors["visitsPerMonth"]))
            \(request.input(
                "visitsTotal", t["field.visitsTotal"], value: request.field("visitsTotal"), type: "number",
                error: errors["visitsTotal"]))
            \(request.select(
                "branches", t["field.branches"], options: branchOptions, error: errors["branches"], multiple: true))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>
            """))
            """
        return request.page(title: t["plans.title"], active: "/plans", body: body, status: errors.isEmpty ? 200 : 400)
    }

    package static func branchList(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/branches")
        guard result.ok else { return request.failure(result) }
        let rows: [[HTML]] = result.list.map { branch in
            let id = request.string(branch["id"])
            let retry = errors.keys.contains { $0.hasSuffix("-\(id)") }
            func value(_ name: String) -> String {
                retry ? request.field("\(name)-\(id)") : request.string(branch[name])
            }
            let active = retry ? request.field("active") == "on" : (branch["active"] as? Bool) != false
            let edit: HTML = HTML.when(
                request.may(.branches),
                """
                <details\(HTML.when(retry, " open"))><summary>\(t["action.edit"])</summary>\
                <form method="post" action="/branches/\(id)">\(request.csrfField)
                \(request.input(
                    "name-\(id)", t["field.name"], value: value("name"), required: true, error: errors["name-\(id)"]))
                \(request.input(
                    "city-\(id)", t["field.city"], value: value("city"), required: true, error: errors["city-\(id)"]))
                \(request.input(
                    "timeZone-\(id)", t["field.timeZone"], value: value("timeZone"), required: true,
                    error: errors["timeZone-\(id)"]))
                <p><label><input type="checkbox" name="active"\(HTML.when(active, " checked"))> \(t["field.active"])\
                </label></p>
                <p><button type="submit">\(t["action.save"])</button></p></form>
                <p><a href="/branches/\(id)/occupancy">\(t["occupancy.link"])</a></p></details>
                """)
            return [
                "\(request.string(branch["name"]))", "\(request.string(branch["city"]))",
                "\(request.string(branch["timeZone"]))",
                "\((branch["active"] as? Bool) != false ? t["yes"] : t["no"])", edit,
            ]
        }
        let body: HTML = """
            \(request.table([t["field.name"], t["field.city"], t["field.timeZone"], t["field.active"], ""], rows))
            \(HTML.when(request.account?.roles.contains(.superAdministrator) == true, """
            <section class="card"><h2>\(t["branches.new"])</h2><form method="post" action="/branches">\
            \(request.csrfField)
            \(request.input(
                "name", t["field.name"], value: request.field("name"), required: true, error: errors["name"]))
            \(request.input(
                "city", t["field.city"], value: request.field("city"), required: true, error: errors["city"]))
            \(request.input(
                "timeZone", t["field.timeZone"],
                value: request.field("timeZone").isEmpty ? "America/Mexico_City" : request.field("timeZone"),
                required: true, error: errors["timeZone"]))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>
            """))
            """
        return request.page(
            title: t["branches.title"], active: "/branches", body: body, status: errors.isEmpty ? 200 : 400)
    }

    package static func agreements(_ request: WebRequest, errors: [String: String] = [:]) throws -> HTTPResponse {
        let t = request.text
        let result = request.call(.get, "/api/v1/agreements")
        guard result.ok else { return request.failure(result) }
        let rows: [[HTML]] = result.list.map { ["\(request.string($0["name"]))", "\(request.string($0["notes"]))"] }
        let body: HTML = """
            \(request.table([t["field.name"], t["field.notes"]], rows))
            \(HTML.when(request.may(.configuration), """
            <section class="card"><h2>\(t["agreements.new"])</h2><form method="post" action="/agreements">\
            \(request.csrfField)
            \(request.input(
                "name", t["field.name"], value: request.field("name"), required: true, error: errors["name"]))
            \(request.input("notes", t["field.notes"], value: request.field("notes"), error: errors["notes"]))
            <p><button type="submit">\(t["action.create"])</button></p></form></section>
            """))
            """
        return request.page(
            title: t["agreements.title"], active: "/agreements", body: body, status: errors.isEmpty ? 200 : 400)
    }
}
