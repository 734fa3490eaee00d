import CoreStorage
import HTTP
import PorteroModel

/// The attendance listings' query: filters and page cursors.
extension CoreAPI {
    /// The attendance filter from the query, limited to the caller's branches.
    package static func attendanceFilter(_ request: APIRequest) throws -> AttendanceFilter {
        var filter = AttendanceFilter()
        filter.branches = try visibleBranches(request, .attendance)
        if let text = request.query("door") {
            guard let door = Int64(text), door >= 0 else {
                throw HTTPResponseError(.error(400, "query parameter door must be a door id (0 for the desk)"))
            }
            filter.door = door
        }
        if let text = request.query("from") {
            guard let day = LocalDay(iso: text) else {
                throw HTTPResponseError(.error(400, "query parameter from must be a date as YYYY-MM-DD"))
            }
            filter.from = day
        }
        if let text = request.query("to") {
            guard let day = LocalDay(iso: text) else {
                throw HTTPResponseError(.error(400, "query parameter to must be a date as YYYY-MM-DD"))
            }
            filter.to = day
        }
        if let from = filter.from, let to = filter.to, to < from {
            throw HTTPResponseError(.error(400, "query parameter to is before from"))
        }
        if let text = request.query("user") {
            guard let user = Int64(text), user >= 1 else {
                throw HTTPResponseError(.error(400, "query parameter user must be a user id (1 or more)"))
            }
            filter.user = user
        }
        if let reason = request.query("reason") {
            guard ReasonCode(rawValue: reason) != nil else {
                throw HTTPResponseError(
                    .error(400, "query parameter reason must be a reason code such as subscription.expired"))
            }
            filter.reason = reason
        }
        filter.granted = try request.queryFlag("granted")
        for (name, keyPath) in [("before", \AttendanceFilter.before), ("after", \AttendanceFilter.after)] {
            guard let text = request.query(name) else { continue }
            guard let cursor = Self.cursor(text) else {
                throw HTTPResponseError(.error(400, "query parameter \(name) must be a cursor from a previous page"))
            }
            filter[keyPath: keyPath] = cursor
        }
        return filter
    }

    /// Cursors are "milliseconds~event-id", taken from the last row of a page.
    package static func cursor(_ text: String) -> (at: Int64, id: [UInt8])? {
        let parts = text.split(separator: "~")
        guard parts.count == 2, (1...18).contains(parts[0].count), parts[0].allSatisfy({ ("0"..."9").contains($0) }),
            let at = Int64(parts[0]), let id = EventID(string: String(parts[1]))
        else { return nil }
        return (at, id.bytes)
    }
}
