import CoreStorage
import HTTP
import PorteroModel

/// The call lists of the reports, a page at a time (a file holds up to 100,000 rows), and the
/// shapes of every report's answer.
extension CoreAPI {
    static func declareCallListRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/reports/expiring", .privilege(.reports),
            "Renewal call list: subscriptions ending in the next `days` (default 7) with no renewal, the soonest "
                + "first, with the member's phone",
            query: [
                .integer("days", 0...366), .integer("limit", 1...1_000),
                QueryParameter(name: "after", schema: .string(pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}~[0-9]{1,18}$")),
                reportFormats,
            ],
            answers: reportAnswers(.expiringReport)
        ) { request in
            let days = try request.queryInt("days", default: 7, range: 0...366)
            let file = (request.query("format") ?? "json") != "json"
            // A file holds every row from the cursor on; the page's limit is checked either way.
            let pageLimit = try request.queryInt("limit", default: 200, range: 1...1_000)
            let limit = file ? 100_000 : pageLimit
            var after: (LocalDay, Int64)?
            if let text = request.query("after") {
                let parts = text.split(separator: "~")
                guard parts.count == 2, let day = LocalDay(iso: parts[0]), let id = Int64(parts[1]) else {
                    throw AccountError(field: "after", problem: "must be the next value of a previous page")
                }
                after = (day, id)
            }
            let today = request.today(request.branch)
            let rows = try request.database.reports.expiring(
                try visibleBranches(request, .reports), today: today, days: days, limit: limit, after: after)
            struct Answer: Encodable {
                let today: LocalDay
                let days: Int
                let rows: [ExpiringRow]
                let next: String?
            }
            let next = rows.count == limit ? rows.last.map { "\($0.endDate)~\($0.subscription)" } : nil
            return try reportAnswer(
                request, "expiring", json: Answer(today: today, days: days, rows: rows, next: next)
            ) {
                TableExport(
                    header: ["clave", "name", "phone", "email", "plan", "branch", "ends", "days left"],
                    rows: rows.map {
                        [
                            String($0.clave), $0.name, $0.phone, $0.email, $0.plan, $0.branchName,
                            $0.endDate.description, String($0.daysLeft),
                        ]
                    })
            }
        }
        table.add(
            .get, "/api/v1/reports/absent", .privilege(.reports),
            "Members with a running subscription not seen at any door for `days` (default 30) or more, the longest "
                + "absent first (never seen first of all)",
            query: [
                .integer("days", 1...3_650), .integer("limit", 1...1_000),
                QueryParameter(name: "after", schema: .string(pattern: "^[0-9]{1,18}\\.[0-9]{1,18}$")), reportFormats,
            ],
            answers: reportAnswers(.absentReport)
        ) { request in
            let days = try request.queryInt("days", default: 30, range: 1...3_650)
            let file = (request.query("format") ?? "json") != "json"
            let pageLimit = try request.queryInt("limit", default: 200, range: 1...1_000)
            let limit = file ? 100_000 : pageLimit
            let today = request.today(request.branch)
            let page = try request.database.reports.absent(
                try visibleBranches(request, .reports), today: today, now: request.now, days: days, limit: limit,
                after: request.query("after"))
            var zones: [Int64: ZoneRules] = [:]
            return try reportAnswer(request, "absent", json: page) {
                TableExport(
                    header: ["clave", "name", "phone", "email", "last visit", "branch", "days away"],
                    rows: page.rows.map { row in
                        let branch = row.lastBranch ?? 0
                        let zone = zones[branch] ?? request.zone(row.lastBranch.map { BranchID($0) })
                        zones[branch] = zone
                        return [
                            String(row.clave), row.name, row.phone, row.email,
                            row.lastVisit.map { zone.localTime(at: $0).description } ?? "never",
                            row.lastBranchName ?? "", row.daysAway.map(String.init) ?? "",
                        ]
                    })
            }
        }
    }
}

extension Schema {
    static let salesReport = named(
        "SalesReport",
        .object([
            "from": .date, "to": .date, "by": .string(values: SalesGrouping.allCases.map(\.rawValue)),
            "rows": .array(
                .object([
                    "key": .text, "label": .text, "count": .integer(), "currency": .text, "minorUnits": .integer(),
                ])),
        ]))

    static let posReport = named(
        "PosReport",
        .object([
            "from": .date, "to": .date, "by": .string(values: PosGrouping.allCases.map(\.rawValue)),
            "currency": .text,
            "rows": .array(.object(["key": .text, "label": .text, "quantity": .integer(), "minorUnits": .integer()])),
        ]))

    static let heatMap = named(
        "AttendanceHeatMap",
        .object([
            "from": .date, "to": .date,
            "cells": .array(
                .object([
                    "weekday": .integer(minimum: 1, maximum: 7), "hour": .integer(minimum: 0, maximum: 23),
                    "count": .count,
                ]), minItems: 168, maxItems: 168),
        ]))

    static let interbranchReport = named(
        "InterbranchReport",
        .object([
            "from": .date, "to": .date,
            "rows": .array(
                .object([
                    "visitedBranch": .id, "visitedBranchName": .text, "homeBranch": .id, "homeBranchName": .text,
                    "visits": .count,
                ])),
        ]))

    static let expiringReport = named(
        "ExpiringReport",
        .object(
            [
                "today": .date, "days": .count,
                "rows": .array(
                    .object([
                        "subscription": .id, "user": .id, "clave": .integer(), "name": .text, "phone": .text,
                        "email": .text, "plan": .text, "branch": .id, "branchName": .text, "endDate": .date,
                        "daysLeft": .count,
                    ])),
            ], optional: ["next": .text]))

    static let absentReport = named(
        "AbsentReport",
        .object(
            [
                "rows": .array(
                    .object(
                        [
                            "user": .id, "clave": .integer(), "name": .text, "phone": .text, "email": .text,
                        ],
                        optional: [
                            "lastVisit": .timestamp, "lastBranch": .id, "lastBranchName": .text, "daysAway": .count,
                        ]))
            ], optional: ["next": .text]))
}
