import CoreStorage
import Foundation
import PorteroModel
import SyncWire

/// The shapes of the API's answers, as the OpenAPI document publishes them. Each mirrors one
/// encoded type; the route tests check every answer they get against its route's schema.
extension Schema {
    static let error = named("Error", .object(["error": .text]))
    static let roleName = Schema.string(values: Role.allCases.map(\.rawValue))
    /// The IANA zones this machine's time-zone database holds (what a branch's zone is checked against).
    static let timeZone = named(
        "TimeZone",
        .string(
            values: TimeZone.knownTimeZoneIdentifiers.filter { (try? ZoneRules(identifier: $0)) != nil }.sorted()))
    static let money = named("Money", .object(["minorUnits": .integer(), "currency": .text]))

    static let account = named(
        "Account",
        .object([
            "active": .boolean, "branches": .array(.id), "clave": .count, "email": .text, "id": .id,
            "maternalSurname": .text, "name": .text, "paternalSurname": .text, "roles": .array(roleName),
            "username": .text,
        ]))

    static let card = named(
        "Card",
        .object([
            "id": .id, "userID": .id, "number": .text, "printed": .text,
            "status": .string(values: Credential.Status.allCases.map(\.rawValue)), "createdAt": .timestamp,
            "changedAt": .timestamp,
        ]))

    static let user = named(
        "User",
        .object(
            [
                "id": .id, "username": .text, "email": .text, "clave": .count, "name": .text,
                "paternalSurname": .text, "maternalSurname": .text,
                "gender": .string(values: Gender.allCases.map(\.rawValue)), "joinDate": .date, "phone": .text,
                "alternateEmail": .text, "active": .boolean, "followUp": .boolean, "notes": .text,
                "roles": .array(roleName), "branches": .array(.id),
            ],
            optional: [
                "agreement": .id, "birthDate": .date, "cards": .array(card), "pinSet": .boolean,
                "duressPinSet": .boolean,
            ]))

    static let branch = named(
        "Branch", .object(["id": .id, "name": .text, "city": .text, "timeZone": .text, "active": .boolean]))

    static let agreement = named("Agreement", .object(["id": .id, "name": .text, "notes": .text]))

    static let person = named(
        "Person",
        .object(
            [
                "id": .id, "clave": .count, "name": .text, "email": .text, "phone": .text, "active": .boolean,
                "cities": .text, "branches": .text, "joinDate": .date, "subscriptions": .count,
            ],
            optional: ["agreement": .text, "lastEnd": .date]))

    static let visitLimit = named(
        "VisitLimit",
        .object(
            [:], optional: ["perDay": .count, "perWeek": .count, "perMonth": .count, "perSubscription": .count]))

    static let plan = named(
        "Plan",
        .object(
            [
                "id": .id, "version": .id, "name": .text, "price": money,
                "duration": .object(["unit": .string(values: ["days", "months"]), "count": .id]),
                "branches": .array(.id), "visitLimit": visitLimit, "features": .array(.text), "graceDays": .count,
                "active": .boolean,
            ],
            optional: ["windows": .text]))

    static let subscription = named(
        "Subscription",
        .object(
            [
                "id": .id, "userID": .id, "planID": .id, "planName": .text, "planVersion": .id, "branch": .id,
                "startDate": .date, "endDate": .date, "effectiveEndDate": .date, "graceDays": .count,
                "status": .string(values: ["active", "cancelled"]),
                "standing": .string(values: ["current", "grace", "not_started", "expired", "frozen", "cancelled"]),
                "freezes": .array(.object(["start": .date, "reason": .text], optional: ["end": .date])),
                "pricePaid": money, "promotion": .text, "paymentReference": .text, "soldAt": .timestamp,
                "paymentStatus": .string(values: PaymentStatus.allCases.map(\.rawValue)),
                "listPrice": money, "discount": money,
            ],
            optional: ["renews": .id, "paymentDue": .date, "doorRefusesFrom": .date, "promotionID": .id]))

    static let device = named(
        "Device",
        .object(
            ["id": .id, "branch": .id, "name": .text, "createdAt": .timestamp],
            optional: [
                "enrolledAt": .timestamp, "revokedAt": .timestamp, "enrollmentExpiresAt": .timestamp,
                "lastSeen": .timestamp, "softwareVersion": .text, "replicaAgeSeconds": .count, "outboxDepth": .count,
                "doorModes": .array(doorState),
            ]))

    static let doorState = named(
        "DoorState",
        .object(
            ["door": .id, "name": .text, "mode": .string(values: DoorMode.allCases.map(\.rawValue))],
            optional: ["command": .id, "until": .timestamp, "by": .text]))

    static let door = named(
        "Door",
        .object(
            [
                "branch": .id, "device": .id, "door": .id, "name": .text,
                "mode": .string(values: DoorMode.allCases.map(\.rawValue)),
            ],
            optional: ["reportedAt": .timestamp, "command": .id, "until": .timestamp, "by": .text]))

    /// A door state in a device's report (the same shape, not a component: bodies stay inline).
    static let doorStateReport = Schema.object(
        ["door": .id, "name": .string(maxLength: 100), "mode": .string(values: DoorMode.allCases.map(\.rawValue))],
        optional: ["command": .id, "until": .timestamp, "by": .string(maxLength: 200)])

    static let syncDoorCommand = named(
        "SyncDoorCommand",
        .object(
            [
                "id": .id, "command": .string(values: SyncDoorCommand.Kind.allCases.map(\.rawValue)),
                "reason": .text, "createdAt": .timestamp,
            ],
            optional: ["door": .id, "until": .timestamp, "by": .text]))

    static let attendance = named(
        "Attendance",
        .object(
            [
                "id": .text, "branch": .id, "door": .integer(minimum: 0), "at": .timestamp, "localDate": .date,
                "direction": .text, "credentialKind": .text, "granted": .boolean, "reason": .text, "note": .text,
            ],
            optional: [
                "cardNumber": .text, "userID": .id, "clave": .count, "userName": .text, "subscriptionID": .id,
                "recordedBy": .id,
            ]))

    static let doorCommand = named(
        "DoorCommand",
        .object(
            [
                "id": .id, "branch": .id, "command": .string(values: DoorCommand.Kind.allCases.map(\.rawValue)),
                "reason": .text, "createdBy": .id, "createdAt": .timestamp,
            ],
            optional: ["door": .id, "deliveredAt": .timestamp, "until": .timestamp]))

    static let notification = named(
        "Notification",
        .object(
            [
                "id": .id, "audience": .text, "level": .text, "title": .text, "body": .text, "source": .text,
                "createdAt": .timestamp, "read": .boolean,
            ],
            optional: ["role": roleName, "branch": .id]))

    static let dashboard: Schema = {
        let amount = Schema.object(["currency": .text, "minorUnits": .integer()])
        let count = Schema.object(["label": .text, "count": .count])
        return named(
            "Dashboard",
            .object([
                "from": .date, "to": .date, "totalUsers": .count, "activeCustomers": .count,
                "inactiveCustomers": .count, "sales": .array(amount), "plansSold": .count,
                "averageSale": .array(amount), "customersPerCity": .array(count),
                "salesPerPlan": .array(
                    .object(["plan": .text, "count": .count, "currency": .text, "minorUnits": .integer()])),
                "newCustomersPerMonth": .array(count), "attendancePerDay": .array(count),
            ]))
    }()

    static let audit = named(
        "AuditPage",
        .object([
            "verification": .object(
                ["intact": .boolean], optional: ["rows": .count, "brokenAt": .id, "reason": .text]),
            "entries": .array(
                .object([
                    "id": .id, "at": .timestamp, "actor": .text, "action": .text, "target": .text, "changes": .text,
                    "hash": .string(pattern: "^[0-9a-f]{64}$"),
                ])),
        ]))

    static let importAnswer = named(
        "ImportAnswer",
        .object([
            "imported": .count, "checked": .count, "dryRun": .boolean,
            "rejected": .array(.object(["line": .count, "field": .text, "problem": .text])),
        ]))

    static let home = named(
        "Home",
        .object([
            "followUp": .array(user), "attendanceToday": .array(attendance), "unreadNotifications": .count,
        ]))
}

/// The sync protocol's answers (device routes). Replica records (a person's subscriptions, a plan
/// version) keep the form both ends decode and are published as objects.
extension Schema {
    static let syncItem = named(
        "SyncItem",
        .object(
            ["kind": .string(values: ["user", "remove_user", "plan", "chain_member", "branch_setup"])],
            optional: [
                "id": .id,
                "user": .object(
                    [
                        "id": .id, "clave": .count, "displayName": .text, "active": .boolean,
                        "roles": .array(roleName), "grantedHere": .boolean,
                        "cards": .array(
                            .object([
                                "id": .id, "number": .count,
                                "status": .string(values: Credential.Status.allCases.map(\.rawValue)),
                            ])),
                        "subscriptions": .array(.anyObject(description: "a subscription as the replica keeps it")),
                    ],
                    optional: [
                        "pin": .string(pattern: "^[0-9a-f]+$"), "duressPin": .string(pattern: "^[0-9a-f]+$"),
                        "visitsElsewhere": visitCounters,
                        "phones": .array(
                            .object([
                                "id": .id, "key": .string(pattern: "^[0-9a-f]{128}$", minLength: 128, maxLength: 128),
                                "active": .boolean,
                            ])),
                    ]),
                "plan": .anyObject(description: "a plan version as the replica keeps it"),
                "member": .object(
                    ["id": .id, "active": .boolean, "cards": .array(.count)], optional: ["subscribedThrough": .date]),
                "setup": branchSetup,
            ]))

    /// Entries counted per day, ISO week (keyed by its Monday) and month (year × 12 + month − 1).
    static let visitCounters = named(
        "VisitCounters",
        .object(
            ["dayCount": .count, "weekCount": .count, "monthCount": .count],
            optional: ["day": .date, "weekStart": .date, "month": .count]))

    static let syncBatch = named(
        "SyncBatch",
        .object([
            "cursor": .count, "items": .array(syncItem),
            "commands": .array(syncDoorCommand),
            "more": .boolean, "snapshotRequired": .boolean, "serverTime": .timestamp,
        ]))

    static let syncSnapshotPage = named(
        "SyncSnapshotPage",
        .object(
            ["sequence": .count, "items": .array(syncItem), "serverTime": .timestamp], optional: ["nextAfter": .id]))

    static let syncUploadAnswer = named(
        "SyncUploadAnswer",
        .object([
            "acknowledged": .array(.string(format: "uuid")), "stored": .count, "duplicates": .count,
        ]))

    static let syncCommandAnswer = named(
        "SyncCommandAnswer",
        .object(["results": .array(.object(["id": .id, "applied": .boolean, "message": .text]))]))

    static let enrolment = named(
        "Enrolment",
        .object([
            "device": device, "token": .string(pattern: "^pd_"), "branch": branch,
            "identity": .object([
                "deviceID": .id, "branchID": .id, "branchName": .text, "timeZone": .text,
                "pinKey": .string(pattern: "^[0-9a-f]+$"),
            ]),
        ]))
}
