import CoreStorage
import HTTP

/// The customers and leads lists, as JSON pages or whole as CSV or XLSX.
extension CoreAPI {
    /// The customers' and leads' answers: a JSON page, or the whole list as a file.
    package static let peopleAnswers: [RouteAnswer] = [
        .json(200, .array(.person), "a page (format=json)"), .file("text/csv", "every row (format=csv)"),
        .file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "every row (format=xlsx)"),
    ]

    package static func exportPeople(_ request: APIRequest, _ list: PersonList) throws -> HTTPResponse {
        var filter = PersonFilter()
        filter.branches = try visibleBranches(request, .users)
        filter.active = try request.queryFlag("active")
        filter.city = request.query("city")
        if let text = request.query("agreement") {
            guard let id = Int64(text), id > 0 else {
                return .error(400, "query parameter agreement must be an agreement id")
            }
            filter.agreementID = id
        }
        filter.search = request.query("q")
        let format = request.query("format") ?? "json"
        let export = format != "json"
        // A file holds every row; a page's limit and offset are checked either way.
        let pageLimit = try request.queryInt("limit", default: 100, range: 1...1_000)
        let pageOffset = try request.queryInt("offset", default: 0, range: 0...10_000_000)
        let limit = export ? 1_000_000 : pageLimit
        let offset = export ? 0 : pageOffset
        let people = try request.database.members.people(list, filter: filter, limit: limit, offset: offset)
        return try reportAnswer(request, list.rawValue, json: people) {
            TableExport(
                header: [
                    "clave", "name", "email", "phone", "active", "agreement", "city", "branches", "join date",
                    "subscriptions", "paid until",
                ],
                rows: people.map {
                    [
                        String($0.clave), $0.name, $0.email, $0.phone, $0.active ? "yes" : "no", $0.agreement ?? "",
                        $0.cities, $0.branches,
                        $0.joinDate.description, String($0.subscriptions), $0.lastEnd?.description ?? "",
                    ]
                })
        }
    }
}
