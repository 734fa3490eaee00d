import BackOffice
import CoreStorage
import Foundation
import HTTP
import PorteroModel

/// The chain's configuration on the chain settings page: name, language, time zone, password
/// rule, sessions and lockout, device offline alert. An empty number goes back to the default.
extension WebUI {
    /// The configuration's number fields, in the order the form shows them.
    static let configurationNumbers = [
        "passwordMinimumLength", "sessionIdleMinutes", "sessionAbsoluteHours", "lockoutFailuresPerAccount",
        "lockoutFailuresPerAddress", "lockoutMinutes", "deviceOfflineMinutes", "pinMinimumLength",
        "usualVisitMinutes", "journalRetentionDays",
    ]
    /// Every field an error may name.
    static let configurationFieldNames =
        ["chainName", "defaultLanguage", "timeZone", "passwordClasses", "logo", "occupancyRefuses"]
        + configurationNumbers

    /// The language of a page when neither the user nor the browser chose one: the chain's.
    func chainLanguage() -> WebLanguage {
        ((try? api.withDatabase { try $0.settings.chain().defaultLanguage }).flatMap(WebLanguage.init(rawValue:)))
            ?? .es
    }

    /// The form's fieldsets, filled from `current` (the API's settings) or, after a refusal, from
    /// what was typed; the error beside the field `wrong` names.
    static func configurationInputs(
        _ request: WebRequest, current: [String: Any], failed: APIResult?, wrong: String?
    ) -> HTML {
        let t = request.text
        func value(_ name: String) -> String { failed != nil ? request.field(name) : request.string(current[name]) }
        func error(_ name: String) -> String? { wrong == name ? failed?.error : nil }
        let base = (try? request.ui.api.withDatabase { $0.auth.basePolicy }) ?? AuthPolicy()
        let defaults: [String: Int64] = [
            "passwordMinimumLength": Int64(PasswordPolicy().minimumLength), "pinMinimumLength": 4,
            "sessionIdleMinutes": base.sessionIdleSeconds / 60,
            "sessionAbsoluteHours": base.sessionAbsoluteSeconds / 3_600,
            "lockoutFailuresPerAccount": Int64(base.maxFailuresPerAccount),
            "lockoutFailuresPerAddress": Int64(base.maxFailuresPerAddress), "lockoutMinutes": base.lockoutSeconds / 60,
            "usualVisitMinutes": OccupancyRule.defaultUsualVisitMinutes,
        ]
        func number(_ name: String) -> HTML {
            let hint: HTML = defaults[name].map { (value: Int64) -> HTML in " placeholder=\"\(value)\"" } ?? ""
            return request.input(
                name, t["config.\(name)"], value: value(name), type: "number", error: error(name), attributes: hint)
        }
        let language = request.select(
            "defaultLanguage", t["config.defaultLanguage"],
            options: ConfigurationLimits.languages.map { ($0, t["config.language.\($0)"]) },
            selected: value("defaultLanguage"), error: error("defaultLanguage"))
        let chosen: Set<String> =
            failed != nil
            ? Set(request.fields("passwordClasses"))
            : Set((current["passwordClasses"] as? [String]) ?? Array(PasswordPolicy().classes))
        let boxes: [HTML] = ConfigurationLimits.passwordClasses.map { name in
            """
            <label><input type="checkbox" name="passwordClasses" value="\(name)"\
            \(HTML.when(chosen.contains(name), " checked"))> \(t["config.class.\(name)"])</label>
            """
        }
        let classError: HTML =
            error("passwordClasses").map { (text: String) -> HTML in "<span class=\"error\">\(text)</span>" } ?? ""
        let zone = request.input(
            "timeZone", t["config.timeZone"], value: value("timeZone"), error: error("timeZone"),
            attributes: " placeholder=\"\(request.ui.api.timeZone)\"")
        let name = request.input(
            "chainName", t["config.chainName"], value: value("chainName"), error: error("chainName"))
        // Left at the default, the rule keeps following it until someone changes the boxes.
        let shown =
            failed != nil
            ? request.field("passwordClassesShown") : current["passwordClasses"] == nil ? "default" : "set"
        return """
            <fieldset><legend>\(t["config.section"])</legend><p class="hint">\(t["config.hint"])</p>\
            \(name)\(language)\(zone)\
            \(number("deviceOfflineMinutes"))\(number("pinMinimumLength"))</fieldset>
            <fieldset><legend>\(t["config.password"])</legend>\(number("passwordMinimumLength"))\
            <p class="field\(HTML.when(classError.text.isEmpty == false, " invalid"))" id="f-passwordClasses">\
            \(t["config.passwordClasses"]): \(boxes)\(classError)</p>\
            <input type="hidden" name="passwordClassesShown" value="\(shown)"></fieldset>
            <fieldset><legend>\(t["config.sessions"])</legend>\(number("sessionIdleMinutes"))\
            \(number("sessionAbsoluteHours"))\(number("lockoutFailuresPerAccount"))\
            \(number("lockoutFailuresPerAddress"))\(number("lockoutMinutes"))</fieldset>
            \(occupancyInputs(request, refuses: value("occupancyRefuses"), error: error, number: number))
            """
    }

    /// The configuration as typed, for `PUT /api/v1/settings`: an empty number or zone is null
    /// (the default); a number that is not one goes as typed, so the API names the field.
    static func configurationTyped(_ request: WebRequest) -> [String: Any] {
        var body: [String: Any] = [:]
        // A field the form did not send is left as it is.
        for name in ["chainName", "defaultLanguage"] where request.form[name] != nil {
            body[name] = request.field(name)
        }
        for name in ["timeZone"] + configurationNumbers where request.form[name] != nil {
            let typed = request.field(name).trimmingCharacters(in: .whitespaces)
            body[name] = typed.isEmpty ? NSNull() as Any : (Int64(typed).map { $0 as Any } ?? typed)
        }
        if request.form["occupancyRefuses"] != nil {
            body["occupancyRefuses"] = request.field("occupancyRefuses") == "true"
        }
        let classes = request.fields("passwordClasses")
        switch request.field("passwordClassesShown") {
        case "default" where Set(classes) == PasswordPolicy().classes: break
        case "default", "set": body["passwordClasses"] = classes
        default: break
        }
        return body
    }
}
