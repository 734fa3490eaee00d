import CoreClient
import Foundation
import PorteroCLI

/// `portero users phones ID`: the phones that carry a member's pass, and `--revoke PHONE` for a
/// lost or stolen one (the member's branches refuse its codes within a second).
extension AdminCommands {
    static let phoneValued: Set<String> = ["--revoke"]

    func userPhones(_ client: CoreClient) throws -> ExitCode {
        let id = try number(try positional(2, "a user id"), "the user id")
        if let phone = arguments.value("--revoke") {
            let phone = try number(phone, "the phone id")
            try client.send("DELETE", "api/v1/users/\(id)/phones/\(phone)")
            print("revoked")
            return .success
        }
        let phones = try client.send("GET", "api/v1/users/\(id)/phones").json()
        if json {
            printJSON(phones)
        } else {
            let rows: [[String: Any]] = ((phones as? [[String: Any]]) ?? []).map { phone in
                var row = phone
                let added = (phone["addedAt"] as? Int64).map { Date(timeIntervalSince1970: Double($0) / 1000) }
                row["added"] = added.map { ISO8601DateFormatter().string(from: $0) } ?? ""
                row["state"] = phone["revokedAt"] is Int64 ? "revoked" : "active"
                return row
            }
            list(rows, [("id", "ID"), ("name", "NAME"), ("state", "STATE"), ("added", "ADDED")])
        }
        return .success
    }
}
