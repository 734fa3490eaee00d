import CoreClient
import Foundation
import PorteroCLI

/// `portero users photo ID`: a member's photo from a file, saved to one, removed, or the one they
/// sent approved or turned down.
extension AdminCommands {
    static let photoFlags: Set<String> = ["--remove", "--approve", "--reject"]
    static let photoValued: Set<String> = ["--file", "--save"]

    func userPhoto(_ client: CoreClient) throws -> ExitCode {
        let id = try number(try positional(2, "a user id"), "the user id")
        let path = "api/v1/users/\(id)/photo"
        if arguments.has("--approve") {
            try client.send("POST", path + "/approve")
            print("approved")
        } else if arguments.has("--reject") {
            try client.send("DELETE", path, query: [("state", "pending")])
            print("turned down")
        } else if arguments.has("--remove") {
            try client.send("DELETE", path)
            print("removed")
        } else if let file = arguments.value("--file") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let type = bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png" : "image/jpeg"
            let saved = try client.send("PUT", path, json: ["type": type, "data": bytes.base64EncodedString()])
            show(try saved.json())
        } else if let output = arguments.value("--save") {
            let photo = try client.send("GET", path)
            try photo.body.write(to: URL(fileURLWithPath: output))
            print("wrote \(photo.body.count) bytes to \(output)")
        } else {
            throw CommandLineArguments.UsageError(
                message: "users photo ID takes --file IMAGE, --save FILE, --remove, --approve or --reject")
        }
        return .success
    }
}
