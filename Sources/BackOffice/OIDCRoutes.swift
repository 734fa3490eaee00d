import CoreStorage
import Foundation
import HTTP
import PorteroModel

extension Schema {
    /// An account's link to the OpenID provider.
    static let oidcLink = named(
        "OIDCLink",
        .object(
            ["configured": .boolean, "linked": .boolean],
            optional: [
                "provider": .text, "issuer": .text, "subject": .text, "email": .text, "linkedAt": .timestamp,
                "lastUsed": .timestamp,
            ]))
}

/// What the link routes answer: whether a provider is configured, and the account's link to it.
struct OIDCLinkView: Encodable {
    let configured: Bool
    let linked: Bool
    let provider: String?
    let issuer: String?
    let subject: String?
    let email: String?
    let linkedAt: Timestamp?
    let lastUsed: Timestamp?

    init(_ link: OIDCLink?, provider: OIDCProvider?) {
        configured = provider != nil
        linked = link != nil
        self.provider = provider?.settings.displayName
        issuer = link?.issuer
        subject = link?.subject
        email = link?.email
        linkedAt = link?.linkedAt
        lastUsed = link?.lastUsed
    }
}

extension CoreAPI {
    /// The link between an account and its identity at the OpenID provider: seen and undone by
    /// its owner, and by those who manage the account. Made only by signing in through the provider.
    package static func declareOIDCRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/me/oidc", .privilege(.myProfile),
            "Your account's link to the sign-in provider (made when you first sign in through it)",
            answers: [.json(200, .oidcLink)]
        ) { request in
            .json(try linkView(of: try request.actor, request))
        }
        table.add(
            .delete, "/api/v1/me/oidc", .privilege(.myProfile),
            "Unlink your account from the sign-in provider; the next sign-in through it links by email again",
            answers: [.noContent]
        ) { request in
            try unlink(try request.actor, request)
        }
        table.add(
            .get, "/api/v1/users/:id/oidc", .privilege(.users),
            "A user's link to the sign-in provider (a user of a branch you hold the users privilege at)",
            answers: [.json(200, .oidcLink)]
        ) { request in
            .json(try linkView(of: try target(request), request))
        }
        table.add(
            .delete, "/api/v1/users/:id/oidc", .privilege(.users),
            "Unlink a user from the sign-in provider (a user you may manage)", answers: [.noContent]
        ) { request in
            let account = try target(request)
            try checkManage(try request.actor, account)
            return try unlink(account, request)
        }
    }

    static func linkView(of account: Account, _ request: APIRequest) throws -> OIDCLinkView {
        let provider = request.api.oidc
        let link = try provider.flatMap { try request.database.oidc.link(of: account.id, issuer: $0.settings.issuer) }
        return OIDCLinkView(link, provider: provider)
    }

    static func unlink(_ account: Account, _ request: APIRequest) throws -> HTTPResponse {
        guard let provider = request.api.oidc else { return .error(404, "no sign-in provider is configured") }
        let issuer = provider.settings.issuer
        let removed = try request.database.write {
            guard let link = try request.database.oidc.link(of: account.id, issuer: issuer),
                try request.database.oidc.removeLink(of: account.id, issuer: issuer)
            else { return false }
            try request.audit(
                "oidc.unlink", target: "user:\(account.id)", changes: ["issuer": issuer, "subject": link.subject],
                concerning: account.branches)
            return true
        }
        return removed ? HTTPResponse(status: 204) : .error(404, "the account is not linked to the sign-in provider")
    }
}
