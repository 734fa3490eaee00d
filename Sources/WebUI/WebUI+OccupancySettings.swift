import BackOffice
import CoreStorage
import HTTP

/// The chain's occupancy and journal settings on the configuration form: whether a branch's
/// capacity refuses entries, the usual visit, and how long the doors keep their journal.
extension WebUI {
    static func occupancyInputs(
        _ request: WebRequest, refuses: String, error: (String) -> String?, number: (String) -> HTML
    ) -> HTML {
        let t = request.text
        let choice = request.select(
            "occupancyRefuses", t["config.occupancyRefuses"],
            options: ["false", "true"].map { ($0, t["config.occupancyRefuses.\($0)"]) },
            selected: refuses == "1" || refuses == "true" ? "true" : "false", error: error("occupancyRefuses"))
        return """
            <fieldset><legend>\(t["config.occupancy"])</legend>\(choice)\(number("usualVisitMinutes"))\
            \(number("journalRetentionDays"))</fieldset>
            """
    }
}
