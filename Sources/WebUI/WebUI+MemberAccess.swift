import BackOffice
import Foundation
import HTTP
import PorteroModel

/// The member page's access card: roles by their names, branches, and activation, where
/// deactivating asks for a confirmation box first (the pages run no script, so the form
/// itself carries the question).
extension WebUI {
    package static func accessEditor(
        _ request: WebRequest, id: String, profile: [String: Any], branches: [(String, String)],
        failed: (form: String, result: APIResult)?
    ) -> HTML {
        let t = request.text
        let roles = Set((profile["roles"] as? [String]) ?? [])
        let granted = Set(((profile["branches"] as? [NSNumber]) ?? []).map { $0.stringValue })
        let roleBoxes: [HTML] = Role.allCases.map { role -> HTML in
            let checked = HTML.when(roles.contains(role.rawValue), " checked")
            let box: HTML = "<label><input type=\"checkbox\" name=\"roles\" value=\"\(role.rawValue)\"\(checked)>"
            return "\(box) \(t.role(role))</label> "
        }
        let branchBoxes: [HTML] = branches.map { branch -> HTML in
            let checked = HTML.when(granted.contains(branch.0), " checked")
            let box: HTML = "<label><input type=\"checkbox\" name=\"branches\" value=\"\(branch.0)\"\(checked)>"
            return "\(box) \(branch.1)</label> "
        }
        let active = (profile["active"] as? Bool) != false
        let unconfirmed = failed?.form == "active" && failed?.result.status == 422
        let activation: HTML =
            active
            ? """
            <form method="post" action="/members/\(id)/active" id="deactivate">\(request.csrfField)\
            <input type="hidden" name="active" value="false">\
            <p class="field\(HTML.when(unconfirmed, " invalid"))"><label><input type="checkbox" name="confirm" \
            id="f-confirm" required\(HTML.when(unconfirmed, " aria-invalid=\"true\" aria-describedby=\"f-confirm-error\""))> \
            \(t["member.confirmDeactivate"])</label>\
            \(HTML.when(unconfirmed, "<span class=\"error\" id=\"f-confirm-error\">\(t["member.confirmNeeded"])</span>"))</p>\
            <p><button type="submit" class="danger">\(t["action.deactivate"])</button></p></form>
            """
            : request.button("/members/\(id)/active", t["action.activate"], hidden: [("active", "true")])
        return """
            <section class="card" id="access"><h2>\(t["member.access"])</h2>
            <form method="post" action="/members/\(id)/access">\(request.csrfField)
            <fieldset><legend>\(t["field.roles"])</legend>\(roleBoxes)</fieldset>\
            <fieldset><legend>\(t["field.branches"])</legend>\(branchBoxes)</fieldset>
            <p><button type="submit">\(t["action.save"])</button></p></form>
            <h3>\(t["member.status"])</h3><p>\(active ? t["member.isActive"] : t["member.isInactive"])</p>
            \(activation)
            </section>
            """
    }

    /// Activates at once; deactivates only with the confirmation box ticked (a 422 otherwise,
    /// shown beside the box, and nothing changed).
    static func setActive(_ request: WebRequest, id: String) -> APIResult {
        let activate = request.field("active") == "true"
        guard activate || request.field("confirm") == "on" else {
            return APIResult(status: 422, value: ["error": request.text["member.confirmNeeded"]], headers: [])
        }
        return request.call(.patch, "/api/v1/users/\(id)", body: ["active": activate])
    }
}

extension WebUI {
    /// The enrol form's plan and branch as one choice, grouped by branch: under each branch the
    /// reader may sell at, only the plans that cover it (a plan without branches covers all).
    static func offerSelect(
        _ request: WebRequest, plans: [[String: Any]], branches: [Int64: (name: String, zone: String)],
        selected: String, error: String?
    ) -> HTML {
        let t = request.text
        let groups: [HTML] = branches.sorted { $0.key < $1.key }.compactMap { branch -> HTML? in
            guard request.account?.may(.subscriptions, at: BranchID(branch.key)) == true else { return nil }
            let covering = plans.filter { plan in
                let ids = ((plan["branches"] as? [NSNumber]) ?? []).map(\.int64Value)
                return ids.isEmpty || ids.contains(branch.key)
            }
            guard !covering.isEmpty else { return nil }
            let options: [HTML] = covering.map { plan in
                let value = "\(request.string(plan["id"]))@\(branch.key)"
                return """
                    <option value="\(value)"\(HTML.when(value == selected, " selected"))>\
                    \(request.string(plan["name"])) · \(request.money(plan["price"])) · \(request.planDuration(plan))\
                    </option>
                    """
            }
            return "<optgroup label=\"\(branch.value.name)\">\(options)</optgroup>"
        }
        guard !groups.isEmpty else { return "<p class=\"hint\" id=\"no-offer\">\(t["member.noOffer"])</p>" }
        return """
            <p class="field\(HTML.when(error != nil, " invalid"))"><label for="f-offer">\(t["member.offer"])</label>\
            <select id="f-offer" name="offer"\(HTML.when(error != nil, " aria-invalid=\"true\""))>\(groups)</select>\
            \(error.map { "<span class=\"error\">\($0)</span>" as HTML } ?? "")</p>
            """
    }
}
