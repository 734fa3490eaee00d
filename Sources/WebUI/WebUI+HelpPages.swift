import BackOffice
import HTTP
import PorteroModel

/// The user manual: `/help` lists the chapters (those for the reader's roles marked), and
/// `/help/<chapter>` shows a chapter's tasks step by step with a link to each task's page. For
/// those with the user-manual privilege; the words are compiled in.
extension WebUI {
    func declareHelpPages(_ router: inout Router) {
        add(&router, .get, "/help", .signedIn) { request in Self.helpIndex(request) }
        add(&router, .get, "/help/:topic", .signedIn) { request in
            Self.helpTopic(request, slug: request.parameter("topic"))
        }
    }

    static func forbiddenHelp(_ request: WebRequest) -> HTTPResponse {
        request.failure(APIResult(status: 403, value: nil, headers: []), title: request.text["help.title"])
    }

    static func helpIndex(_ request: WebRequest) -> HTTPResponse {
        guard request.may(.userManual) else { return forbiddenHelp(request) }
        let t = request.text
        let mine = request.account?.roles ?? RoleSet(rawValue: 0)
        let items: [HTML] = HelpTopic.all.map { topic in
            let forYou = topic.roles.contains { mine.contains($0) }
            return """
                <li><a href="/help/\(topic.slug)">\(t.pick(topic.title))</a>\
                \(HTML.when(forYou, " <span class=\"badge\">\(t["help.forYou"])</span>")) — \(t.pick(topic.summary))</li>
                """
        }
        let body: HTML = """
            <section class="card" id="help"><p>\(t["help.intro"])</p><ul class="help-topics">\(items)</ul></section>
            """
        return request.page(title: t["help.title"], active: "/help", body: body)
    }

    static func helpTopic(_ request: WebRequest, slug: String) -> HTTPResponse {
        guard request.may(.userManual) else { return forbiddenHelp(request) }
        let t = request.text
        guard let topic = HelpTopic.named(slug) else {
            return request.failure(APIResult(status: 404, value: nil, headers: []), title: t["help.title"])
        }
        let contents: [HTML] = topic.tasks.enumerated().map { index, task in
            "<li><a href=\"#task-\(index + 1)\">\(t.pick(task.title))</a></li>"
        }
        let tasks: [HTML] = topic.tasks.enumerated().map { index, task in
            let steps: [HTML] = task.steps.map { "<li>\(t.pick($0))</li>" }
            return """
                <section class="card" id="task-\(index + 1)"><h2>\(t.pick(task.title))</h2><ol>\(steps)</ol>\
                <p><a href="\(task.page)">\(t["help.open"])</a></p></section>
                """
        }
        let roles = topic.roles.map { t.role($0) }.joined(separator: ", ")
        let body: HTML = """
            <p>\(t.pick(topic.summary)) <small>(\(t["help.roles"]): \(roles))</small></p>
            <nav aria-label="\(t["help.contents"])"><ul>\(contents)</ul></nav>
            \(tasks)
            <p><a href="/help">\(t["help.back"])</a></p>
            """
        return request.page(title: "\(t["help.title"]): \(t.pick(topic.title))", active: "/help", body: body)
    }
}
