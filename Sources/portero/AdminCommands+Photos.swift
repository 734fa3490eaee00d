import CoreClient
import CoreStorage
import Crypto
import Foundation
import PorteroCLI
import PorteroModel

/// `portero users photo ID`: a member's photo from a file, saved to one, removed, or the one they
/// sent saved (`--save FILE --pending`, which prints its SHA-256), then approved by that SHA-256
/// (so that what is approved is what was looked at) or turned down.
extension AdminCommands {
    static let photoFlags: Set<String> = ["--remove", "--reject", "--pending"]
    static let photoValued: Set<String> = ["--file", "--save", "--approve"]

    func userPhoto(_ client: CoreClient) throws -> ExitCode {
        let id = try number(try positional(2, "a user id"), "the user id")
        let path = "api/v1/users/\(id)/photo"
        if let seen = arguments.value("--approve") {
            try client.send("POST", path + "/approve", json: ["sha256": seen.lowercased()])
            print("approved")
        } else if arguments.has("--reject") {
            try client.send("DELETE", path, query: [("state", "pending")])
            print("turned down")
        } else if arguments.has("--remove") {
            try client.send("DELETE", path)
            print("removed")
        } else if let file = arguments.value("--file") {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let type = ImageBytes.type(of: Array(bytes)) ?? "image/jpeg"
            let saved = try client.send("PUT", path, json: ["type": type, "data": bytes.base64EncodedString()])
            show(try saved.json())
        } else if let output = arguments.value("--save") {
            let pending = arguments.has("--pending")
            let photo = try client.send("GET", path, query: pending ? [("state", "pending")] : [])
            try photo.body.write(to: URL(fileURLWithPath: output))
            print("wrote \(photo.body.count) bytes to \(output)")
            if pending {
                print("sha256 \(Hex.encode(Digest.sha256(Array(photo.body))))")
            }
        } else {
            throw CommandLineArguments.UsageError(
                message: "users photo ID takes --file IMAGE, --save FILE [--pending], --remove, --approve SHA256 "
                    + "(of the photo saved with --pending) or --reject")
        }
        return .success
    }
}
