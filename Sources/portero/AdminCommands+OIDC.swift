import CoreClient
import Foundation
import PorteroCLI

/// `portero oidc show USER|unlink USER`: an account's link to the OpenID provider it signs in
/// with (made at its first sign-in through the provider, by its verified email).
extension AdminCommands {
    static let oidcUsage = "oidc takes show USER_ID or unlink USER_ID"

    func oidc() throws -> ExitCode {
        let client = try client()
        guard words.count == 3 else { throw CommandLineArguments.UsageError(message: Self.oidcUsage) }
        let id = try number(words[2], "the user id")
        switch words[1] {
        case "show":
            let link = (try client.send("GET", "api/v1/users/\(id)/oidc").json()) as? [String: Any] ?? [:]
            if json || link["linked"] as? Bool == true {
                show(link)
            } else if link["configured"] as? Bool == true {
                print(
                    "not linked: the next sign-in through \(link["provider"] as? String ?? "the provider") links by email"
                )
            } else {
                print("no sign-in provider is configured")
            }
        case "unlink":
            try client.send("DELETE", "api/v1/users/\(id)/oidc")
            print("unlinked")
        default:
            throw CommandLineArguments.UsageError(message: Self.oidcUsage)
        }
        return .success
    }
}
