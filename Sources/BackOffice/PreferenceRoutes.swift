import CoreStorage
import HTTP
import PorteroModel

extension Schema {
    static let notificationKind = Schema.string(values: NotificationKind.allCases.map(\.rawValue))
    static let notificationPreference = named(
        "NotificationPreference", .object(["kind": notificationKind, "inApp": .boolean, "email": .boolean]))
}

extension CoreAPI {
    /// Which kinds of notification reach the caller in the web UI and which by email (seed 000's
    /// notification settings in the profile).
    package static func declarePreferenceRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/me/notification-preferences", .privilege(.myProfile),
            "Which kinds of notification reach you in the web UI and which by email (each kind listed)",
            answers: [.json(200, .array(.notificationPreference))]
        ) { request in
            .json(try request.database.operations.preferences(of: try request.actor.id))
        }
        table.add(
            .put, "/api/v1/me/notification-preferences", .privilege(.myProfile),
            "Choose, for the kinds given, whether they reach you in the web UI and by email",
            body: [
                .required(
                    "preferences",
                    .array(.notificationPreference, minItems: 1, maxItems: NotificationKind.allCases.count))
            ],
            answers: [.json(200, .array(.notificationPreference))]
        ) { request in
            struct Body: Decodable { let preferences: [NotificationPreference] }
            let body = try request.body(Body.self)
            guard (1...NotificationKind.allCases.count).contains(body.preferences.count) else {
                return .error(
                    400, "field \"preferences\": 1 to \(NotificationKind.allCases.count) choices, one per kind")
            }
            let user = try request.actor.id
            // A kind given twice takes the last choice.
            var chosen: [NotificationKind: NotificationPreference] = [:]
            for preference in body.preferences { chosen[preference.kind] = preference }
            let preferences = NotificationKind.allCases.compactMap { chosen[$0] }
            let saved = try request.database.write {
                try request.database.operations.setPreferences(preferences, of: user)
                try request.audit(
                    "user.notification_preferences", target: "user:\(user)",
                    changes: Dictionary(
                        uniqueKeysWithValues: preferences.map {
                            ($0.kind.rawValue, "\($0.inApp ? "app" : "-")/\($0.email ? "email" : "-")")
                        }))
                return try request.database.operations.preferences(of: user)
            }
            return .json(saved)
        }
    }
}
