import CoreStorage
import HTTP
import PorteroModel

/// What a member reads about themselves (seed 003's Mi perfil for Cliente): their subscriptions
/// and where each stands, and their own visits, granted or refused, with the reason.
extension CoreAPI {
    package static func declareMemberPortalRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/me/subscriptions", .privilege(.myProfile),
            "Your subscriptions at every branch, newest first, with where each stands today",
            answers: [.json(200, .array(.subscription))]
        ) { request in
            let actor = try request.actor
            return .json(try request.database.sales.subscriptions(of: actor.id, today: request.today(nil)))
        }
        table.add(
            .get, "/api/v1/me/attendance", .privilege(.myProfile),
            "Your visits at every branch, newest first: the entries and the refusals with their reason",
            query: [.integer("limit", 1...200)], answers: [.json(200, .array(.attendance))]
        ) { request in
            var filter = AttendanceFilter()
            filter.user = try request.actor.id.rawValue
            return .json(
                try request.database.operations.attendance(
                    filter, limit: try request.queryInt("limit", default: 50, range: 1...200)))
        }
    }
}
