import CoreStorage
import BackOffice
import Foundation
import HTTP
import PorteroModel

/// Headquarters: dashboard, customers and leads, notifications, devices and door commands,
/// plans, branches, agreements, the audit trail.
extension WebUI {
    package func declareAdminPages(_ router: inout Router) {
        add(&router, .get, "/dashboard", .signedIn) { request in
            let t = request.text
            var query: [(String, String)] = []
            for name in ["from", "to"] {
                if let value = request.query(name), !value.isEmpty { query.append((name, value)) }
            }
            let result = request.call(.get, "/api/v1/dashboard", query: query)
            let figures = result.object
            let error: HTML = result.ok ? "" : "<p class=\"error\" role=\"alert\">\(result.error ?? "")</p>"
            guard result.ok || result.status == 400 else { return request.failure(result) }
            func sum(_ key: String) -> String {
                ((figures[key] as? [[String: Any]]) ?? []).map { request.money($0) }.joined(separator: " · ")
            }
            let cards: [(String, String)] = [
                (t["dashboard.totalUsers"], t.number(Int(request.int(figures["totalUsers"]) ?? 0))),
                (t["dashboard.active"], t.number(Int(request.int(figures["activeCustomers"]) ?? 0))),
                (t["dashboard.inactive"], t.number(Int(request.int(figures["inactiveCustomers"]) ?? 0))),
                (t["dashboard.plansSold"], t.number(Int(request.int(figures["plansSold"]) ?? 0))),
                (t["dashboard.sales"], sum("sales")), (t["dashboard.posSales"], Self.posSalesFigure(request, figures)),
                (t["dashboard.averageSale"], sum("averageSale")),
            ]
            let figureList: [HTML] = cards.map {
                "<div class=\"figure\"><span class=\"label\">\($0.0)</span><span class=\"value\">\($0.1)</span></div>"
            }
            let cities = ((figures["customersPerCity"] as? [[String: Any]]) ?? []).map {
                (
                    label: request.string($0["label"]), value: Double(request.int($0["count"]) ?? 0),
                    shown: t.number(Int(request.int($0["count"]) ?? 0))
                )
            }
            let plans = ((figures["salesPerPlan"] as? [[String: Any]]) ?? []).map {
                (
                    label: request.string($0["plan"]), value: Double(request.int($0["minorUnits"]) ?? 0),
                    shown: request.money($0)
                )
            }
            let months = ((figures["newCustomersPerMonth"] as? [[String: Any]]) ?? []).map {
                (label: t.month(request.string($0["label"])), value: Int(request.int($0["count"]) ?? 0))
            }
            let days = ((figures["attendancePerDay"] as? [[String: Any]]) ?? []).map {
                (label: String(request.string($0["label"]).suffix(5)), value: Int(request.int($0["count"]) ?? 0))
            }
            let body: HTML = """
                <form method="get" action="/dashboard" class="row">
                \(request.input(
                    "from", t["member.from"], value: request.query("from") ?? request.string(figures["from"]),
                    type: "date"))
                \(request.input(
                    "to", t["member.to"], value: request.query("to") ?? request.string(figures["to"]), type: "date"))
                <p><button type="submit">\(t["action.filter"])</button></p></form>\(error)
                <div class="figures">\(figureList)</div>
                <div class="charts">\
                \(WebCharts.pie(title: t["dashboard.perCity"], slices: cities, id: "cities"))\
                \(WebCharts.pie(title: t["dashboard.perPlan"], slices: plans, id: "plans"))</div>
                \(WebCharts.bars(title: t["dashboard.newPerMonth"], bars: months, id: "months"))
                \(WebCharts.bars(title: t["dashboard.perDay"], bars: days, id: "days"))
                """
            return request.page(
                title: t["dashboard.title"], active: "/dashboard", body: body, status: result.ok ? 200 : 400)
        }

        add(&router, .get, "/customers", .signedIn) { request in
            let t = request.text
            let list = request.query("list") == "leads" ? "leads" : "customers"
            let q = request.query("q") ?? ""
            let result = request.call(.get, "/api/v1/\(list)", query: [("q", q), ("limit", "200")])
            guard result.ok else { return request.failure(result) }
            let rows: [[HTML]] = result.list.map { person in
                [
                    "\(request.string(person["clave"]))",
                    "<a href=\"/members/\(request.int(person["id"]) ?? 0)\">\(request.string(person["name"]))</a>",
                    "\(request.string(person["email"]))", "\(request.string(person["phone"]))",
                    "\(request.string(person["branches"]))", "\(request.day(person["lastEnd"]))",
                ]
            }
            let exportQuery = "q=\(WebRequest.percentEncode(q))"
            let body: HTML = """
                <nav class="tabs" aria-label="\(t["customers.title"])">\
                <a href="/customers?list=customers"\(HTML.when(list == "customers", " aria-current=\"page\""))>\
                \(t["customers.customers"])</a>\
                <a href="/customers?list=leads"\(HTML.when(list == "leads", " aria-current=\"page\""))>\
                \(t["customers.leads"])</a></nav>
                <form method="get" action="/customers" class="row"><input type="hidden" name="list" value="\(list)">
                \(request.input(
                    "q", t["members.search"], value: q, type: "search"))\
                <p><button type="submit">\(t["action.filter"])</button></p></form>
                <p><a class="button" href="/api/v1/\(list)?format=csv&\(exportQuery)" download>\(t["action.export"])\
                </a> <a class="button" href="/api/v1/\(list)?format=xlsx&\(exportQuery)" download>\
                \(t["action.exportXLSX"])</a></p>
                \(request.table(
                    [t["field.clave"], t["field.name"], t["field.email"], t["field.phone"], t["field.branches"],
                     t["customers.paidUntil"]],
                    rows))
                """
            return request.page(title: t["customers.title"], active: "/customers", body: body)
        }

        add(&router, .get, "/notifications", .signedIn) { request in try Self.notifications(request) }
        add(&router, .post, "/notifications/:id/read", .signedIn) { request in
            let result = request.call(.post, "/api/v1/notifications/\(Int64(request.parameter("id")) ?? 0)/read")
            return result.ok ? Self.redirect("/notifications") : request.failure(result)
        }
        add(&router, .post, "/notifications/read", .signedIn) { request in
            let result = request.call(.post, "/api/v1/notifications/read")
            return result.ok ? Self.redirect("/notifications") : request.failure(result)
        }
        add(&router, .post, "/notifications", .signedIn) { request in
            var body: [String: Any] = [
                "audience": "system", "level": request.field("level"), "title": request.field("title"),
            ]
            if !request.field("body").isEmpty { body["body"] = request.field("body") }
            let result = request.call(.post, "/api/v1/notifications", body: body)
            guard result.ok else {
                return try Self.notifications(
                    request,
                    errors: [result.erroredField(among: ["title", "level", "body"]) ?? "title": result.error ?? ""])
            }
            return Self.redirect("/notifications")
        }

        add(&router, .get, "/devices", .signedIn) { request in try Self.devices(request) }
        add(&router, .get, "/doors", .signedIn) { request in try Self.doors(request) }
        add(&router, .post, "/devices", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/devices",
                body: ["branch": Int64(request.field("branch")) ?? 0, "name": request.field("name")])
            guard result.ok else {
                return try Self.devices(
                    request, errors: [result.erroredField(among: ["name", "branch"]) ?? "name": result.error ?? ""])
            }
            return try Self.devices(request, code: request.string(result.object["enrollmentCode"]))
        }
        add(&router, .post, "/devices/:id/code", .signedIn) { request in
            let result = request.call(.post, "/api/v1/devices/\(Int64(request.parameter("id")) ?? 0)/code")
            guard result.ok else { return request.failure(result) }
            return try Self.devices(request, code: request.string(result.object["enrollmentCode"]))
        }
        add(&router, .post, "/devices/:id/revoke", .signedIn) { request in
            let result = request.call(.delete, "/api/v1/devices/\(Int64(request.parameter("id")) ?? 0)")
            return result.ok ? Self.redirect("/devices") : request.failure(result)
        }
        add(&router, .post, "/branches/:id/commands", .signedIn) { request in
            var body: [String: Any] = ["command": request.field("command"), "reason": request.field("reason")]
            if let door = Int64(request.field("door")) { body["door"] = door }
            let minutes = request.field("minutes").trimmingCharacters(in: .whitespaces)
            if !minutes.isEmpty {
                // Anything but whole minutes is sent as it is, so the core refuses it: never a lockdown
                // for ever by mistake.
                body["minutes"] = Int64(minutes).map { $0 as Any } ?? minutes
            }
            let result = request.call(
                .post, "/api/v1/branches/\(Int64(request.parameter("id")) ?? 0)/commands", body: body)
            guard result.ok else {
                return try Self.doors(request, errors: ["reason-\(request.parameter("id"))": result.error ?? ""])
            }
            return Self.redirect("/doors?sent=1")
        }

        add(&router, .get, "/plans", .signedIn) { request in try Self.plans(request) }
        add(&router, .post, "/plans", .signedIn) { request in
            var body: [String: Any] = [
                "name": request.field("name"),
                "currency": request.field("currency").isEmpty ? "MXN" : request.field("currency"),
            ]
            if let price = Decimal(string: request.field("price")) {
                body["priceMinor"] = NSDecimalNumber(decimal: price * 100).int64Value
            } else {
                body["priceMinor"] = -1
            }
            body["durationMonths"] = Int(request.field("months")) ?? 0
            if !request.postedSchedule("windows").isEmpty { body["windows"] = request.postedSchedule("windows") }
            if let visits = Int(request.field("visitsPerMonth")) { body["visitsPerMonth"] = visits }
            if let visits = Int(request.field("visitsTotal")) { body["visitsTotal"] = visits }
            let branches = request.fields("branches").compactMap { Int64($0) }
            if !branches.isEmpty { body["branches"] = branches }
            let result = request.call(.post, "/api/v1/plans", body: body)
            guard result.ok else {
                let field =
                    result.erroredField(among: [
                        "name", "priceMinor", "currency", "durationMonths", "windows", "visitsPerMonth", "visitsTotal",
                        "branches",
                    ]) ?? "name"
                return try Self.plans(request, errors: [field: result.error ?? ""])
            }
            return Self.redirect("/plans")
        }

        add(&router, .post, "/plans/:id", .signedIn) { request in
            let id = request.parameter("id")
            var body: [String: Any] = [
                "active": request.field("active") == "on", "applyToExisting": request.field("applyToExisting") == "on",
                "windows": request.postedSchedule("windows-\(id)"),
            ]
            if let price = Decimal(string: request.field("price-\(id)")) {
                body["priceMinor"] = NSDecimalNumber(decimal: price * 100).int64Value
            } else {
                body["priceMinor"] = -1
            }
            let result = request.call(.patch, "/api/v1/plans/\(Int64(id) ?? 0)", body: body)
            guard result.ok else {
                return try Self.plans(
                    request,
                    errors: [
                        result.erroredField(among: ["priceMinor", "windows", "active"]) ?? "priceMinor": result.error
                            ?? ""
                    ])
            }
            return Self.redirect("/plans")
        }
        add(&router, .post, "/branches/:id", .signedIn) { request in
            let id = request.parameter("id")
            let body: [String: Any] = [
                "name": request.field("name-\(id)"), "city": request.field("city-\(id)"),
                "timeZone": request.field("timeZone-\(id)"),
                "active": request.field("active") == "on",
            ]
            let result = request.call(.patch, "/api/v1/branches/\(Int64(id) ?? 0)", body: body)
            guard result.ok else {
                return try Self.branchList(
                    request,
                    errors: [
                        "\(result.erroredField(among: ["name", "city", "timeZone"]) ?? "name")-\(id)": result.error
                            ?? ""
                    ])
            }
            return Self.redirect("/branches")
        }
        add(&router, .get, "/branches", .signedIn) { request in try Self.branchList(request) }
        add(&router, .post, "/branches", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/branches",
                body: [
                    "name": request.field("name"), "city": request.field("city"), "timeZone": request.field("timeZone"),
                ])
            guard result.ok else {
                return try Self.branchList(
                    request,
                    errors: [result.erroredField(among: ["name", "city", "timeZone"]) ?? "name": result.error ?? ""])
            }
            return Self.redirect("/branches")
        }

        add(&router, .get, "/agreements", .signedIn) { request in try Self.agreements(request) }
        add(&router, .post, "/agreements", .signedIn) { request in
            let result = request.call(
                .post, "/api/v1/agreements", body: ["name": request.field("name"), "notes": request.field("notes")])
            guard result.ok else {
                return try Self.agreements(
                    request, errors: [result.erroredField(among: ["name", "notes"]) ?? "name": result.error ?? ""])
            }
            return Self.redirect("/agreements")
        }

        add(&router, .get, "/audit", .signedIn) { request in Self.auditPage(request) }
    }
}
