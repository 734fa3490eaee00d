import HTTP
import PorteroModel

/// A plan's allowed hours edited as a week: a row per day, named in the reader's language, with
/// "from" and "to" times. The grid posts `NAME-grid` and `NAME-DAY-from`/`-to`; the page turns
/// them into the schedule text the API reads ("mon,tue 06:00-16:00; sat 08:00-14:00"). A
/// schedule the grid cannot show (two windows on one day) is edited as text, where the day
/// names of the page's language are understood too.
extension WebRequest {
    /// `idPrefix` gives the grid's ids their own prefix on a page with one form per branch.
    func scheduleGrid(_ name: String, schedule: String, retry: Bool, error: String?, idPrefix: String? = nil)
        -> HTML
    {
        let t = text
        var hours: [Weekday: (String, String)] = [:]
        var fits = !retry || field(name + "-grid") == "1"
        if !retry, !schedule.isEmpty {
            if let parsed = try? WeeklySchedule(parsing: schedule) {
                for window in parsed.windows {
                    // A time field stops at 23:59: a window to midnight or past it stays text.
                    if window.endMinute >= 24 * 60 || window.crossesMidnight { fits = false }
                    for day in window.days.days {
                        if hours[day] != nil { fits = false }
                        hours[day] = (Self.clock(window.startMinute), Self.clock(window.endMinute))
                    }
                }
            } else {
                fits = false
            }
        }
        guard fits else {
            return input(
                name, t["field.windowsText"], value: retry ? field(name) : t.scheduleWords(schedule), error: error,
                id: idPrefix.map { $0 + name })
        }
        let rows: [HTML] = Weekday.allCases.map { day in
            let key = "\(name)-\(day.abbreviation)"
            let from = retry ? field(key + "-from") : hours[day]?.0 ?? ""
            let to = retry ? field(key + "-to") : hours[day]?.1 ?? ""
            return """
                <tr><th scope="row">\(t["day." + day.abbreviation])</th>\
                <td><input type="time" name="\(key)-from" value="\(from)" aria-label="\(t["day." + day.abbreviation]) \
                \(t["member.from"])"></td>\
                <td><input type="time" name="\(key)-to" value="\(to)" aria-label="\(t["day." + day.abbreviation]) \
                \(t["member.to"])"></td></tr>
                """
        }
        return """
            <fieldset class="week\(HTML.when(error != nil, " invalid"))" id="\(idPrefix ?? "")\(name)-week">\
            <legend>\(t["plans.hours"])</legend><input type="hidden" name="\(name)-grid" value="1">\
            <table class="week"><thead><tr><th scope="col">\(t["plans.day"])</th>\
            <th scope="col">\(t["member.from"])</th><th scope="col">\(t["member.to"])</th></tr></thead>\
            <tbody>\(rows)</tbody></table><p class="hint">\(t["plans.hoursHint"])</p>\
            \(error.map { "<span class=\"error\" id=\"\(idPrefix ?? "")\(name)-error\">\($0)</span>" as HTML } ?? "")</fieldset>
            """
    }

    /// The schedule text a plan form posted: from its grid, else its text field with the page's
    /// day names turned into the API's.
    func postedSchedule(_ name: String) -> String {
        guard field(name + "-grid") == "1" else { return Self.apiDayNames(field(name)) }
        var groups: [(hours: String, days: [String])] = []
        for day in Weekday.allCases {
            let key = "\(name)-\(day.abbreviation)"
            let (from, to) = (field(key + "-from"), field(key + "-to"))
            guard !from.isEmpty || !to.isEmpty else { continue }
            let hours = "\(from)-\(to)"
            if let index = groups.firstIndex(where: { $0.hours == hours }) {
                groups[index].days.append(day.abbreviation)
            } else {
                groups.append((hours, [day.abbreviation]))
            }
        }
        return groups.map { "\($0.days.joined(separator: ",")) \($0.hours)" }.joined(separator: "; ")
    }

    static func clock(_ minute: Int) -> String {
        let (hour, rest) = (minute / 60, minute % 60)
        return "\(hour < 10 ? "0" : "")\(hour):\(rest < 10 ? "0" : "")\(rest)"
    }

    /// "lun-vie 06:00-16:00" → "mon-fri 06:00-16:00", "todos los días" → "daily" (English names pass
    /// as they are, in any case).
    static func apiDayNames(_ text: String) -> String {
        var names: [String: String] = [:]
        for (api, spanish) in WebText.dayNamesES { names[spanish] = api }
        names["mie"] = "wed"
        names["sab"] = "sat"
        var out = ""
        var word = ""
        let phrases = text.lowercased().replacingOccurrences(of: "todos los días", with: "daily")
            .replacingOccurrences(of: "todos los dias", with: "daily").replacingOccurrences(
                of: "every day", with: "daily")
        for character in phrases + " " {
            if character.isLetter {
                word.append(character)
            } else {
                out += names[word] ?? word
                word = ""
                out.append(character)
            }
        }
        return String(out.dropLast())
    }
}

extension WebText {
    static let scheduleTable: [String: (String, String)] = [
        "day.mon": ("Lunes", "Monday"), "day.tue": ("Martes", "Tuesday"), "day.wed": ("Miércoles", "Wednesday"),
        "day.thu": ("Jueves", "Thursday"), "day.fri": ("Viernes", "Friday"), "day.sat": ("Sábado", "Saturday"),
        "day.sun": ("Domingo", "Sunday"),
        "plans.hours": ("Horario permitido", "Allowed hours"),
        "plans.day": ("Día", "Day"),
        "plans.hoursHint": (
            "Deja vacío un día sin acceso; todo vacío: a cualquier hora.",
            "Leave a day empty for no access; all empty: any time."
        ),
        "field.windowsText": (
            "Horario permitido (p. ej. lun-vie 10:00-16:00; sáb 08:00-14:00)",
            "Allowed hours (e.g. Mon-Fri 10:00-16:00; Sat 08:00-14:00)"
        ),
    ]
}
