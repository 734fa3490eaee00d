import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    /// A count of people a limit may hold.
    static let people = Schema.integer(minimum: 1, maximum: Int64(OccupancyLimits.maximumPeople))
    static let visitMinutes = bounded(ConfigurationLimits.usualVisitMinutes)
    static let retentionDays = bounded(ConfigurationLimits.journalRetentionDays)

    static let occupancyLimits = named(
        "OccupancyLimits",
        .object(["branch": .id], optional: ["warn": .people, "limit": .people, "updatedAt": .timestamp]))

    static let occupancyReport = named(
        "OccupancyReport",
        .object([
            "at": .timestamp,
            "branches": .array(
                .object(
                    [
                        "branch": .id, "name": .text, "timeZone": .text, "inside": .count, "refuses": .boolean,
                        "state": .string(values: OccupancyLevel.allCases.map(\.rawValue)),
                        "counted": .string(values: ["exits", "estimated"]),
                    ], optional: ["warn": .people, "limit": .people])),
        ]))
}

/// One branch's line of the live occupancy report.
package struct OccupancyLine: Encodable, Sendable {
    package var branch: BranchID
    package var name: String
    package var timeZone: String
    package var inside: Int
    package var warn: Int?
    package var limit: Int?
    package var refuses: Bool
    package var state: OccupancyLevel
    /// `exits` where the branch records exits, `estimated` from the usual visit elsewhere.
    package var counted: String
}

/// The live occupancy report: each branch the caller may see, when.
package struct OccupancyReport: Encodable, Sendable {
    package var at: Timestamp
    package var branches: [OccupancyLine]
}

extension CoreAPI {
    /// Each branch's occupancy now, for the branches in `scope` (nil: every branch), by name.
    package static func occupancyReport(_ database: CoreDatabase, scope: Set<BranchID>?, now: Timestamp) throws
        -> OccupancyReport
    {
        let chain = try database.settings.chain()
        let branches = try database.accounts.branches().filter { scope?.contains($0.id) ?? true }
        var lines: [OccupancyLine] = []
        for branch in branches.sorted(by: { $0.name < $1.name }) {
            let limits = try database.occupancy.limits(branch: branch.id)
            let count = try database.occupancy.count(
                branch: branch.id, now: now, usualVisitSeconds: chain.usualVisitSeconds)
            let rule = OccupancyLimits(warn: limits.warn, limit: limits.limit, refuses: chain.occupancyRefuses)
            lines.append(
                OccupancyLine(
                    branch: branch.id, name: branch.name, timeZone: branch.timeZone, inside: count.inside,
                    warn: limits.warn, limit: limits.limit, refuses: chain.occupancyRefuses,
                    state: rule.level(counting: count.inside), counted: count.countsExits ? "exits" : "estimated"))
        }
        return OccupancyReport(at: now, branches: lines)
    }

    /// An audit's {"from", "to"} of a limit (null: none).
    static func pair(_ old: Int?, _ new: Int?) -> [String: Any] {
        ["from": old.map { $0 as Any } ?? NSNull(), "to": new.map { $0 as Any } ?? NSNull()]
    }

    /// A branch's capacity (read with the doors, set by those who manage branches, carried to its
    /// controllers by the feed) and the live occupancy report.
    package static func declareOccupancyRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/branches/:id/occupancy", .privilege(.attendance),
            "A branch's capacity in people: the soft limit that warns and the hard one (absent: none)",
            answers: [.json(200, .occupancyLimits)]
        ) { request in
            let branch = try setupBranch(request, .attendance)
            return .json(try request.database.occupancy.limits(branch: branch.id))
        }
        table.add(
            .put, "/api/v1/branches/:id/occupancy", .privilege(.branches),
            "Set a branch's capacity: warn (the soft limit) and limit (the hard one), each a count of people or "
                + "null for none, warn at most limit; whether the hard limit refuses entries is the chain's "
                + "occupancyRefuses setting",
            body: [.optional("warn", .nullable(.people)), .optional("limit", .nullable(.people))],
            answers: [.json(200, .occupancyLimits)]
        ) { request in
            struct Body: Decodable {
                let warn: Int?
                let limit: Int?
            }
            let body = try request.body(Body.self)
            let branch = try setupBranch(request, .branches)
            let limits = BranchOccupancyLimits(branch: branch.id, warn: body.warn, limit: body.limit)
            try limits.check()
            try request.database.write {
                let before = try request.database.occupancy.setLimits(limits, now: request.now)
                try request.audit(
                    "branch.occupancy", target: "branch:\(branch.id)",
                    changes: ["warn": pair(before.warn, limits.warn), "limit": pair(before.limit, limits.limit)])
            }
            return .json(try request.database.occupancy.limits(branch: branch.id))
        }
        table.add(
            .get, "/api/v1/reports/occupancy", .privilege(.reports),
            "The people inside each of your branches now (branch=N for one), against its limits: counted from "
                + "entries and exits where the branch records exits, else from entries and the chain's usual visit",
            query: [reportFormats], answers: reportAnswers(.occupancyReport)
        ) { request in
            let report = try occupancyReport(
                request.database, scope: try visibleBranches(request, .reports), now: request.now)
            return try reportAnswer(request, "occupancy", json: report) {
                TableExport(
                    header: ["branch", "inside", "warn at", "limit", "state", "counted from"],
                    rows: report.branches.map {
                        [
                            $0.name, String($0.inside), $0.warn.map(String.init) ?? "", $0.limit.map(String.init) ?? "",
                            $0.state.rawValue, $0.counted,
                        ]
                    })
            }
        }
    }
}
