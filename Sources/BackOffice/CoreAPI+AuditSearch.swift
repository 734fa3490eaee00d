import CoreStorage
import HTTP
import PorteroModel

extension CoreAPI {
    /// The audit listing's filters from the query: an action, part of a name, dates in the chain's
    /// time zone (whole days), and the last id of the previous page.
    static func auditSearch(_ request: APIRequest) throws -> AuditSearch {
        var search = AuditSearch()
        for (name, path) in [("action", \AuditSearch.action), ("who", \AuditSearch.who)] {
            guard let value = request.query(name), !value.isEmpty else { continue }
            guard value.count <= 100 else { throw AccountError(field: name, problem: "at most 100 characters") }
            search[keyPath: path] = value
        }
        let zone = request.zone(nil)
        if let from = try day(request.query("from"), field: "from") { search.from = zone.start(of: from) }
        if let to = try day(request.query("to"), field: "to") { search.until = zone.start(of: to.adding(days: 1)) }
        if let before = request.query("before") {
            guard let id = Int64(before), id > 0 else {
                throw AccountError(field: "before", problem: "must be the id of a row of the previous page")
            }
            search.before = id
        }
        return search
    }
}
