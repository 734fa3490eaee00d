import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

extension Schema {
    /// At most 256 KiB in base64 (4 characters for each 3 bytes).
    static let logoData = Schema.string(
        pattern: "^[A-Za-z0-9+/]*={0,2}$", minLength: 4, maxLength: (ChainLogo.maximumBytes + 2) / 3 * 4)
    static let logoAnswer = Schema.object([
        "type": .string(values: ChainLogo.types), "bytes": .integer(minimum: 1, maximum: Int64(ChainLogo.maximumBytes)),
    ])
}

extension CoreAPI {
    /// The chain's logo: set and removed with `configuration` at every branch, audited; the web
    /// UI serves it at `/chain-logo` and shows it in every page's header.
    package static func declareLogoRoutes(_ table: inout RouteTable) {
        table.add(
            .put, "/api/v1/settings/logo", .privilege(.configuration),
            "Replace the chain's logo: a PNG or a JPEG of at most 256 KiB, in base64",
            body: [.required("type", .string(values: ChainLogo.types)), .required("data", .logoData)],
            answers: [.json(200, .logoAnswer)], bodyLimit: 1 << 20
        ) { request in
            struct Body: Decodable {
                let type: String
                let data: String
            }
            let body = try request.body(Body.self)
            guard let data = Data(base64Encoded: body.data) else {
                throw AccountError(field: "data", problem: "not base64")
            }
            let logo = try ChainLogo(type: body.type, bytes: Array(data))
            try requireEveryBranch(request, .configuration, nil, reaching: "the chain's logo")
            let database = request.database
            try database.write {
                try database.settings.saveLogo(logo)
                let digest = Digest.sha256(logo.bytes).map { String(format: "%02x", $0) }.joined()
                try request.audit(
                    "settings.logo", target: "chain",
                    changes: ["type": logo.type, "bytes": logo.bytes.count, "sha256": digest],
                    concerning: everyBranch(database))
            }
            struct Answer: Encodable {
                let type: String
                let bytes: Int
            }
            return .json(Answer(type: logo.type, bytes: logo.bytes.count))
        }
        table.add(
            .delete, "/api/v1/settings/logo", .privilege(.configuration),
            "Remove the chain's logo (pages show the chain's name alone)", answers: [.noContent]
        ) { request in
            let database = request.database
            // The logo is public (every page shows it): saying there is none tells nobody anything.
            guard try database.settings.hasLogo() else { return .error(404, "the chain has no logo") }
            try requireEveryBranch(request, .configuration, nil, reaching: "the chain's logo")
            try database.write {
                try database.settings.saveLogo(nil)
                try request.audit("settings.logo_removed", target: "chain", concerning: everyBranch(database))
            }
            return HTTPResponse(status: 204)
        }
    }
}
