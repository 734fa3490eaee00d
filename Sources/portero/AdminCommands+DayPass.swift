import CoreClient
import Foundation
import PorteroCLI

/// `portero subscriptions pass ID [--send]`: a pass's signed code for the doors (each issue is
/// audited and signs anew), with its holder, dates, entries and branches; `--send` emails it to
/// the holder instead.
extension AdminCommands {
    static let dayPassFlags: Set<String> = ["--send"]

    func subscriptionPass(_ client: CoreClient) throws -> ExitCode {
        let id = try number(try positional(2, "a subscription id"), "the subscription id")
        if arguments.has("--send") {
            let sent = try client.send("POST", "api/v1/subscriptions/\(id)/pass/send").json()
            if json { printJSON(sent) } else { print("sent to \(Self.text((sent as? [String: Any])?["to"]))") }
            return .success
        }
        let pass = try client.send("POST", "api/v1/subscriptions/\(id)/pass").json()
        guard !json, var details = pass as? [String: Any] else {
            printJSON(pass)
            return .success
        }
        print(Self.text(details.removeValue(forKey: "code")))
        let branches = (details["branches"] as? [Any]) ?? []
        details["branches"] = branches.isEmpty ? "every branch" : branches.map { Self.text($0) }.joined(separator: ",")
        if details["entries"] is NSNull { details["entries"] = "no set number" }
        show(details)
        return .success
    }
}
