import BackOffice
import Foundation
import HTTP
import PorteroModel

/// A plan's terms in words: its duration, visit limits, hours with the language's day names,
/// and the branches it covers as the reader may see them.
extension WebRequest {
    /// "1 mes" / "3 months" / "30 días".
    func planDuration(_ plan: [String: Any]) -> String {
        let duration = (plan["duration"] as? [String: Any]) ?? [:]
        let count = int(duration["count"]) ?? 0
        let unit = string(duration["unit"]) == "days" ? "day" : "month"
        return text.counted(count, unit)
    }

    /// "3 visitas por semana, 12 en total" / "Unlimited visits".
    func planVisits(_ plan: [String: Any]) -> String {
        let limit = (plan["visitLimit"] as? [String: Any]) ?? [:]
        let parts = ["perDay", "perWeek", "perMonth", "perSubscription"].compactMap { key -> String? in
            guard let count = int(limit[key]) else { return nil }
            return text["plans.visits." + key].replacingOccurrences(of: "%1", with: text.number(Int(count)))
        }
        return parts.isEmpty ? text["plans.visits.none"] : parts.joined(separator: ", ")
    }

    /// The branch names the reader may see, and "+N more" for those they may not; "All branches"
    /// only for a plan with no branch list (it covers every branch).
    func coveredBranches(_ ids: [Int64], visible: [Int64: (name: String, zone: String)]) -> String {
        guard !ids.isEmpty else { return text["promotions.allBranches"] }
        let names = ids.compactMap { visible[$0]?.name }
        let hidden = ids.count - names.count
        let more = hidden == 0 ? [] : [text["plans.otherBranches"].replacingOccurrences(of: "%1", with: "\(hidden)")]
        return (names + more).joined(separator: ", ")
    }
}

extension WebText {
    /// "1 mes", "2 meses", "1 day", "30 days".
    func counted(_ count: Int64, _ unit: String) -> String {
        self["unit.\(unit).\(count == 1 ? "one" : "many")"].replacingOccurrences(of: "%1", with: "\(count)")
    }

    /// A schedule's text with this language's day names: "lun-vie 06:00-16:00" / "Mon-Fri 06:00-16:00".
    public func scheduleWords(_ schedule: String) -> String {
        let names = language == .es ? Self.dayNamesES : Self.dayNamesEN
        var out = ""
        var word = ""
        func flush() {
            out += names[word] ?? word
            word = ""
        }
        for character in schedule {
            if character.isLetter {
                word.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }

    static let dayNamesES = [
        "mon": "lun", "tue": "mar", "wed": "mié", "thu": "jue", "fri": "vie", "sat": "sáb", "sun": "dom",
        "daily": "todos los días",
    ]
    static let dayNamesEN = [
        "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun",
        "daily": "every day",
    ]

    static let planWords: [String: (String, String)] = [
        "unit.month.one": ("%1 mes", "%1 month"),
        "unit.month.many": ("%1 meses", "%1 months"),
        "unit.day.one": ("%1 día", "%1 day"),
        "unit.day.many": ("%1 días", "%1 days"),
        "plans.duration": ("Duración", "Duration"),
        "plans.visitsHeader": ("Visitas", "Visits"),
        "plans.visits.perDay": ("%1 al día", "%1 a day"),
        "plans.visits.perWeek": ("%1 por semana", "%1 a week"),
        "plans.visits.perMonth": ("%1 al mes", "%1 a month"),
        "plans.visits.perSubscription": ("%1 en total", "%1 in total"),
        "plans.visits.none": ("Sin límite", "Unlimited"),
        "plans.otherBranches": ("y %1 más que no ves", "and %1 more you cannot see"),
        "plans.anyTime": ("A cualquier hora", "Any time"),
        "field.currency": ("Moneda (p. ej. MXN, USD)", "Currency (e.g. MXN, USD)"),
        "member.offer": ("Plan y sucursal", "Plan and branch"),
        "member.noOffer": ("Ningún plan cubre tus sucursales.", "No plan covers your branches."),
    ]
}
