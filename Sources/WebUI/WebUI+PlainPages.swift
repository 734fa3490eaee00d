import BackOffice
import HTTP
import PorteroModel

/// Pieces that keep pages in plain words: the door commands' buttons and the page a browser
/// gets for an address that leads nowhere.
extension WebUI {
    /// One labelled button per door command; the button pressed names the command.
    static func commandButtons(_ t: WebText) -> HTML {
        let buttons: [HTML] = WebText.commandStyles.map { item in
            """
            <button type="submit" name="command" value="\(item.command)"\
            \(HTML.when(!item.style.isEmpty, " class=\"\(item.style)\""))>\(t[item.key])</button>
            """
        }
        return "<p class=\"commands\">\(HTML.join(buttons, separator: " "))</p>"
    }
}

extension WebUI {
    /// A page for a browser (it accepts HTML, and the path is not the API's), in the reader's
    /// language with the navigation when signed in; the API's JSON 404 for everything else.
    static func notFound(resolve: (RouteContext) -> WebRequest, _ context: RouteContext) -> HTTPResponse {
        let path = context.request.path
        let wantsPage = context.request.header("accept")?.contains("text/html") == true
        guard wantsPage, !path.hasPrefix("/api/"), context.request.method == "GET" || context.request.method == "HEAD"
        else { return .error(404, "no such resource: \(path)") }
        let request = resolve(context)
        let t = request.text
        let body: HTML = """
            <section class="card narrow" id="not-found">\
            <p>\(t["notFound.body"].replacingOccurrences(of: "%1", with: path))</p>\
            <p><a href="/home">\(t["notFound.home"])</a></p></section>
            """
        return secured(request.page(title: t["notFound.title"], body: body, status: 404))
    }
}

extension WebUI {
    /// A head and shoulders: beside "My profile" in the navigation.
    static let personIcon: HTML = """
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="5" r="3" fill="#fff"/>\
        <path d="M2 15c0-3.3 2.7-5.5 6-5.5s6 2.2 6 5.5z" fill="#fff"/></svg>
        """
}
