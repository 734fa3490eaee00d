import CoreStorage
import Foundation
import PorteroModel
import SQLite
import SyncWire

/// A realistic gym chain for `portero demo`: three branches in two cities and time zones, plans
/// (monthly, quarterly, yearly, off-peak, a trial week, a ten-visit pack), staff for every role,
/// members with cards and subscriptions in every standing (current, in grace, expired, frozen,
/// cancelled, leads without one) and two weeks of attendance. Written through the same stores
/// the API uses, so every row is one the BackOffice could have made; deterministic for a seed.
public struct DemoChain: Sendable {
    public struct Login: Sendable {
        public var username: String
        public var role: Role
        public var branch: String?
    }

    /// A card to swipe at the demo branch and what the door should answer.
    public struct Swipe: Sendable {
        public var card: UInt64
        public var who: String
        public var expected: String
    }

    public var branchID: BranchID
    public var branchName: String
    public var branchZone: String
    public var branches: Int
    public var members: Int
    public var plans: Int
    public var attendance: Int
    public var password: String
    public var logins: [Login]
    public var swipes: [Swipe]

    /// One password for every demo login; it meets the default policy.
    public static let password = "Portero-demo-2026"

    package static let firstNames = [
        "Ana", "Luis", "María", "José", "Sofía", "Carlos", "Valeria", "Jorge", "Fernanda", "Miguel", "Daniela",
        "Alejandro",
        "Camila", "Ricardo", "Regina", "Eduardo", "Ximena", "Fernando", "Paola", "Andrés", "Lucía", "Diego", "Renata",
        "Héctor",
    ]
    package static let surnames = [
        "García", "Hernández", "López", "Martínez", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
        "Flores",
        "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz", "Gutiérrez", "Ruiz", "Mendoza", "Aguilar",
        "Ortiz", "Núñez",
    ]

    /// Seeds an empty core database; refuses one that already has users.
    public static func seed(
        _ database: CoreDatabase, members count: Int, seed: UInt64 = 2026, now: Timestamp = .now()
    ) throws -> DemoChain {
        guard try database.accounts.accountCount() == 0 else {
            throw AccountError.conflict("database", "already has users; the demo seeds a fresh one")
        }
        return try database.write { try populate(database, members: max(50, count), seed: seed, now: now) }
    }

    private static func populate(_ database: CoreDatabase, members count: Int, seed: UInt64, now: Timestamp) throws
        -> DemoChain
    {
        var random = SplitMix(seed: seed)
        let accounts = database.accounts, members = database.members, sales = database.sales
        try database.settings.save(
            ChainSettings(
                currency: "MXN", paymentGraceDays: 3, taxRateBasisPoints: 1_600, legalName: "Club Portero SA de CV",
                taxID: "CPO010101AB1", fiscalAddress: "Av. Reforma 100, Cuauhtémoc, Ciudad de México"))
        let centro = try accounts.createBranch(
            name: "Centro", city: "Ciudad de México", timeZone: "America/Mexico_City")
        let polanco = try accounts.createBranch(
            name: "Polanco", city: "Ciudad de México", timeZone: "America/Mexico_City")
        let rio = try accounts.createBranch(name: "Zona Río", city: "Tijuana", timeZone: "America/Tijuana")
        let zone = ZoneCache.rules("America/Mexico_City")
        let today = zone.localDay(at: now)

        func plan(
            _ name: String, _ price: Int64, months: Int? = nil, days: Int? = nil, branches: [BranchID] = [],
            windows: String? = nil,
            total: Int? = nil, grace: Int = 3, features: [String]
        ) throws -> Int64 {
            var terms = PlanTerms()
            terms.name = name
            terms.priceMinor = price
            terms.currency = "MXN"
            terms.durationMonths = months
            terms.durationDays = days
            terms.branches = branches.map(\.rawValue)
            terms.windows = windows
            terms.visitsTotal = total.map { .some($0) }
            terms.graceDays = grace
            terms.features = features
            guard let saved = try sales.savePlan(id: nil, terms, applyToExisting: false, today: today, now: now) else {
                throw AccountError(field: "plan", problem: "\(name) could not be read back")
            }
            return saved.id
        }
        let monthly = try plan("Mensual", 59_900, months: 1, features: ["Todas las sucursales", "Regaderas"])
        let quarterly = try plan(
            "Trimestral", 159_900, months: 3, features: ["Todas las sucursales", "Regaderas", "Evaluación física"])
        let yearly = try plan(
            "Anual", 549_900, months: 12,
            features: ["Todas las sucursales", "Regaderas", "Evaluación física", "Toalla"])
        let offPeak = try plan(
            "Horario valle", 39_900, months: 1, windows: "mon-fri 10:00-16:00; sat 14:00-20:00",
            features: ["Entre semana de 10 a 16"])
        let trial = try plan("Semana de prueba", 0, days: 7, grace: 0, features: ["Una semana gratis"])
        let pack = try plan(
            "Paquete 10 visitas", 79_900, months: 3, total: 10,
            features: ["Diez entradas en tres meses, en cualquier sucursal"])
        let rioOnly = try plan("Mensual Zona Río", 49_900, months: 1, branches: [rio], features: ["Solo Zona Río"])
        // A code at the desk: half price on the monthly plan.
        var promotion = PromotionTerms()
        promotion.code = "ENERO2X1"
        promotion.name = "2x1 enero"
        promotion.kind = "percent"
        promotion.value = 5_000
        promotion.plans = [monthly]
        _ = try database.promotions.savePromotion(id: nil, promotion, now: now)

        // Staff: one login for every role, scoped as a chain would scope them.
        let staff: [(String, String, String, Role, Set<BranchID>)] = [
            ("admin", "Administración", "Central", .superAdministrator, []),
            ("administrador", "Patricia", "Salas", .administrator, [centro, polanco, rio]),
            ("gerente.centro", "Roberto", "Campos", .branchManager, [centro]),
            ("recepcion.centro", "Laura", "Ibarra", .reception, [centro]),
            ("recepcion.rio", "Iván", "Quiroga", .reception, [rio]),
            ("cliente.demo", "Mónica", "Fuentes", .client, [centro]),
        ]
        var logins: [Login] = []
        var sellers: [BranchID: UserID] = [:]
        var staffCards: [(UInt64, String)] = []
        for (index, entry) in staff.enumerated() {
            let account = try accounts.createAccount(
                username: entry.0, email: "\(entry.0)@portero.demo", password: password, name: entry.1,
                paternalSurname: entry.2,
                roles: RoleSet([entry.3]), branches: entry.4, now: now)
            // Who sells at each branch's desk, for the sales report by cashier.
            for branch in entry.4 where entry.3 == .reception || (entry.3 == .administrator && branch == polanco) {
                sellers[branch] = account.id
            }
            logins.append(
                Login(
                    username: entry.0, role: entry.3,
                    branch: entry.4.count == 1 ? (entry.4.first == centro ? "Centro" : "Zona Río") : nil))
            if entry.3.isStaff && entry.3 != .superAdministrator {
                let card = UInt64(900_000 + index)
                _ = try members.addCard(account.id, number: CardNumber(rawValue: card), now: now)
                staffCards.append((card, "\(entry.1) \(entry.2) (\(entry.3.rawValue))"))
            } else if entry.3 == .client {
                let sold = try sales.enroll(
                    user: account.id, plan: monthly, branch: centro, start: today.adding(days: -10), pricePaid: nil,
                    promotion: "",
                    paymentReference: "DEMO", soldBy: sellers[centro], today: today, now: now)
                try sales.paidAtOnce(sold.id, method: .card)
                _ = try members.addCard(account.id, number: CardNumber(rawValue: 800_001), now: now)
            }
        }

        // Members: a deterministic mix of standings over the three branches.
        let branches = [centro, centro, polanco, rio]  // Centro is the busiest
        var byKind: [String: [(UInt64, String)]] = [:]
        // Members of the other branches, whom Centro knows only from the chain's card index.
        var elsewhere: [String: [(UInt64, String)]] = [:]
        var granted: [(UserID, Int64, BranchID)] = []
        for index in 0..<count {
            let first = firstNames[random.next(below: firstNames.count)]
            let paternal = surnames[random.next(below: surnames.count)]
            let maternal = surnames[random.next(below: surnames.count)]
            let username = "socio\(index + 1)"
            let home = branches[(index / 20) % branches.count]  // every standing at every branch
            let account = try accounts.createAccount(
                username: username, email: "\(username)@correo.demo", password: nil, name: first,
                paternalSurname: paternal,
                roles: RoleSet([.client]), branches: [home], now: now)
            var profile = ProfileFields()
            profile.maternalSurname = maternal
            profile.gender =
                [
                    "Ana", "María", "Sofía", "Valeria", "Fernanda", "Daniela", "Camila", "Regina", "Ximena", "Paola",
                    "Lucía", "Renata",
                ].contains(first) ? .female : .male
            profile.birthDate = .some(today.adding(days: -(6_570 + random.next(below: 14_600))))
            profile.joinDate = today.adding(days: -random.next(below: 720))
            profile.phone = "55 \(1000 + random.next(below: 9000)) \(1000 + random.next(below: 9000))"
            profile.followUp = index % 97 == 0
            if index % 97 == 0 { profile.notes = "Llamar para renovar" }
            try members.setProfile(account.id, profile)
            let card = UInt64(1_000_000 + index)
            let who = "\(first) \(paternal)"
            let cardRow = try members.addCard(account.id, number: CardNumber(rawValue: card), now: now)

            // The standing: most current, then grace, expired, frozen, cancelled, off-peak, packs,
            // other-branch plans and leads.
            let roll = index % 20
            // Paid at once by cash, card or transfer in turn, unless the sale is left owing.
            let method = [PaymentMethod.cash, .card, .cash, .transfer][index % 4]
            func enroll(_ planID: Int64, _ start: LocalDay, at branch: BranchID = home, paid: Bool = true) throws
                -> SubscriptionView
            {
                let sold = try sales.enroll(
                    user: account.id, plan: planID, branch: branch, start: start, pricePaid: nil,
                    promotion: index % 11 == 0 && planID == monthly ? "ENERO2X1" : "",
                    paymentReference: "CAJA-\(index)", soldBy: sellers[branch], today: today, now: now)
                if paid { try sales.paidAtOnce(sold.id, method: method) }
                return sold
            }
            // Most members who ever bought first bought some time in the past year (a day fixed by
            // their number), so the dashboard's monthly figures have a history.
            if roll <= 17 && index % 6 != 5 {
                // A month bought within the last five weeks would still run: those had the trial week.
                let daysAgo = 8 + (index * 37) % 357
                let first = today.adding(days: -daysAgo)
                let sold = try sales.enroll(
                    user: account.id, plan: daysAgo < 35 ? trial : monthly, branch: home, start: first, pricePaid: nil,
                    promotion: "",
                    paymentReference: "CAJA-\(index)-1", soldBy: sellers[home], today: first,
                    now: zone.start(of: first).adding(milliseconds: 11 * 3_600_000))
                try sales.paidAtOnce(sold.id, method: method)
            }
            let kind: String
            switch roll {
            case 0...8:
                let planID = [monthly, monthly, quarterly, yearly][index % 4]
                let sold = try enroll(planID, today.adding(days: -random.next(below: 25)))
                granted.append((account.id, sold.id, home))
                kind = "current"
            case 9:
                _ = try enroll(monthly, today.adding(months: -1))  // ended yesterday: in its grace days
                kind = "grace"
            case 10, 11:
                _ = try enroll(trial, today.adding(days: -(10 + random.next(below: 15))))
                kind = "expired"
            case 12:
                let sold = try enroll(quarterly, today.adding(days: -20))
                _ = try sales.freeze(
                    sold.id, start: today.adding(days: -3), end: today.adding(days: 11), reason: "Lesión de rodilla",
                    today: today, now: now)
                kind = "frozen"
            case 13:
                let sold = try enroll(monthly, today.adding(days: -5))
                _ = try sales.cancel(sold.id, today: today, now: now)
                kind = "cancelled"
            case 14:
                let sold = try enroll(offPeak, today.adding(days: -random.next(below: 20)))
                granted.append((account.id, sold.id, home))
                kind = "offpeak"
            case 15 where (index / 20) % 2 == 1:
                // All ten entries already used, at Polanco's doors and the desk.
                let sold = try enroll(pack, today.adding(days: -25))
                for day in 1...10 {
                    let at = Timestamp(milliseconds: now.milliseconds - Int64(day) * 86_400_000)
                    let entry = AttendanceEvent(
                        id: EventID(time: at, using: &random), at: at, branchID: polanco, doorID: DoorID(1),
                        direction: .entry, credentialKind: .card,
                        cardNumber: nil, userID: account.id, subscriptionID: SubscriptionID(sold.id), granted: true,
                        reason: .granted)
                    try database.operations.record(entry, device: nil, recordedBy: nil, note: "", zone: zone, now: now)
                }
                kind = "pack-used"
            case 15:
                let sold = try enroll(pack, today.adding(days: -random.next(below: 20)))
                granted.append((account.id, sold.id, home))
                kind = "pack"
            case 16:
                _ = try enroll(rioOnly, today.adding(days: -random.next(below: 20)), at: rio)
                kind = "other-branch"
            case 17:
                let sold = try enroll(monthly, today.adding(days: -random.next(below: 20)))
                granted.append((account.id, sold.id, home))
                _ = try members.setCardStatus(cardRow.id, .revoked, now: now)
                kind = "revoked"
            case 18 where (index / 20) % 2 == 1:
                // Sold on credit, due ten days ago: past the chain's grace, the door refuses.
                let sold = try enroll(monthly, today.adding(days: -12), paid: false)
                try sales.owe(sold.id, status: .credit, due: today.adding(days: -10), now: now)
                kind = "overdue"
            default:
                kind = "lead"  // registered, never bought
            }
            if home == centro {
                byKind[kind, default: []].append((card, who))
            } else {
                elsewhere[kind, default: []].append((card, who))
            }
        }

        // Two weeks of entries at the doors of each branch, for the dashboard and the history pages.
        var stored = 0
        for daysAgo in 1...14 {
            for (user, subscription, branch) in granted where random.next(below: 100) < 35 {
                let at = Timestamp(
                    milliseconds: now.milliseconds - Int64(daysAgo) * 86_400_000 - Int64(random.next(below: 12 * 3600))
                        * 1000)
                let event = AttendanceEvent(
                    id: EventID(time: at, using: &random), at: at, branchID: branch, doorID: DoorID(1),
                    direction: .entry,
                    credentialKind: .card, cardNumber: nil, userID: user, subscriptionID: SubscriptionID(subscription),
                    granted: true, reason: .granted)
                if try database.operations.record(event, device: nil, recordedBy: nil, note: "", zone: zone, now: now) {
                    stored += 1
                }
            }
        }
        // Each branch's entrance as headquarters defines it (the controllers hold only the wiring),
        // and days ahead that Centro closes or keeps short hours.
        for (branch, schedule) in [(centro, nil), (polanco, "mon-fri 05:30-23:00; sat,sun 07:00-20:00"), (rio, nil)] {
            _ = try database.doors.addDoor(
                SyncDoor(
                    id: 1, name: "Torniquete entrada", schedule: try schedule.map { try WeeklySchedule(parsing: $0) }),
                id: 1, branch: branch, now: now)
        }
        _ = try database.doors.setCalendarDay(
            CalendarDay(day: today.adding(days: 14), hours: try DailyHours(parsing: "08:00-14:00"), note: "Inventario"),
            branch: centro, now: now)
        _ = try database.doors.setCalendarDay(
            CalendarDay(day: today.adding(days: 30), hours: nil, note: "Mantenimiento mayor"), branch: centro, now: now)
        _ = try database.operations.notify(
            .system, level: "info", title: "Bienvenido a la demo de Portero",
            body: "Los datos son ficticios; las tarjetas se pasan solas en la entrada de Centro.", source: "demo",
            by: nil, now: now)
        _ = try database.audit.append(
            actor: "system", action: "demo.seed", target: "core", changes: AuditChanges.json(["members": count]),
            at: now)

        // What the demo swipes at Centro: grants and each kind of refusal.
        func pick(_ kind: String, _ expected: String) -> [Swipe] {
            (byKind[kind] ?? []).prefix(3).map { Swipe(card: $0.0, who: "\($0.1), \(kind)", expected: expected) }
        }
        var swipes =
            pick("current", "granted") + pick("grace", "granted.grace") + pick("expired", "subscription.expired")
            + pick("frozen", "subscription.frozen") + pick("cancelled", "subscription.cancelled")
            + pick("revoked", "credential.revoked")
            + pick("other-branch", "plan.branch_not_covered") + pick("lead", "subscription.none")
            + pick("offpeak", "granted or plan.outside_window")
            + pick("pack", "granted") + pick("pack-used", "plan.visit_limit")
            + pick("overdue", "payment.overdue")
        swipes += staffCards.prefix(2).map { Swipe(card: $0.0, who: $0.1, expected: "granted.staff") }
        swipes.append(Swipe(card: 4_242_424, who: "a card nobody holds", expected: "credential.unknown"))
        for (kind, expected) in [("other-branch", "plan.branch_not_covered"), ("lead", "subscription.none")] {
            swipes += (elsewhere[kind] ?? []).prefix(2).map {
                Swipe(card: $0.0, who: "\($0.1), another branch's \(kind)", expected: expected)
            }
        }
        return DemoChain(
            branchID: centro, branchName: "Centro", branchZone: "America/Mexico_City", branches: 3, members: count,
            plans: 7, attendance: stored,
            password: password, logins: logins, swipes: swipes)
    }
}

/// SplitMix64: a small deterministic generator, so a demo seed gives the same chain each time.
package struct SplitMix: RandomNumberGenerator {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    package mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
