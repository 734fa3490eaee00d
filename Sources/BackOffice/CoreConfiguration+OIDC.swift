import Foundation
import Mail
import PorteroModel
import Service

/// The OpenID provider staff may sign in with (`oidc` in portero-core.json).
public struct OIDCSettings: Equatable, Sendable {
    /// The issuer's URL, exactly as its ID tokens write `iss`; discovery is read below it.
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// The button's words: "Sign in with <displayName>".
    public var displayName: String
    public var scopes: [String] = ["openid", "email", "profile"]
    /// What an unknown verified email becomes: nil (the default) creates no account.
    public var createAccounts: OIDCAccountCreation?

    public init(issuer: String, clientID: String, clientSecret: String, displayName: String) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.displayName = displayName
    }
}

/// The account a sign-in with an unknown verified email creates: one role, at one branch.
public struct OIDCAccountCreation: Equatable, Sendable {
    /// Roles an account made this way may have: the two without configuration privileges.
    public static let roles: [Role] = [.client, .reception]
    public var role: Role
    public var branch: BranchID

    public init(role: Role, branch: BranchID) {
        self.role = role
        self.branch = branch
    }
}

extension CoreConfiguration {
    /// `oidc`: issuer (https, or http to this machine only), client id, the secret or a file
    /// holding it, the button's name and the scopes. Needs `public_url` (the callback's address).
    static func oidc(_ root: ConfigObject, publicURL: String?) throws -> OIDCSettings? {
        guard
            let oidc = try root.object(
                "oidc",
                allowed: [
                    "issuer", "client_id", "client_secret", "client_secret_file", "display_name", "scopes",
                    "create_accounts",
                ])
        else { return nil }
        let issuer = try oidc.string("issuer")
        guard let url = URLComponents(string: issuer), let scheme = url.scheme, let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil
        else { throw oidc.error("issuer", "\"\(issuer)\" is not a URL such as https://accounts.google.com") }
        guard scheme == "https" || (scheme == "http" && MailSettings.isLoopback(host: host)) else {
            throw oidc.error("issuer", "must be https:// (plain http:// only to this machine): tokens travel there")
        }
        guard publicURL != nil else {
            throw root.error("oidc", "needs public_url: the provider sends people back to PUBLIC_URL/oidc/callback")
        }
        let clientID = try oidc.string("client_id")
        guard !clientID.isEmpty, clientID.utf8.count <= 500 else {
            throw oidc.error("client_id", "must be 1 to 500 bytes")
        }
        var secret = try oidc.optionalString("client_secret")
        if let file = try oidc.optionalString("client_secret_file") {
            guard secret == nil else { throw oidc.error("client_secret_file", "give client_secret or this, not both") }
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else { throw oidc.error("client_secret_file", "cannot read \(file)") }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let secret, !secret.isEmpty else {
            throw oidc.error("client_secret", "is required (or client_secret_file)")
        }
        let name = try oidc.optionalString("display_name") ?? host
        guard (1...40).contains(name.count) else { throw oidc.error("display_name", "must be 1 to 40 characters") }
        var settings = OIDCSettings(issuer: issuer, clientID: clientID, clientSecret: secret, displayName: name)
        if let scopes = try oidc.optionalStringArray("scopes") {
            guard scopes.contains("openid"), scopes.contains("email"),
                scopes.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && !$0.isWhitespace } })
            else { throw oidc.error("scopes", "must hold \"openid\" and \"email\", each a word without spaces") }
            settings.scopes = scopes
        }
        if let create = try oidc.object("create_accounts", allowed: ["role", "branch"]) {
            let role = try create.string("role")
            guard let chosen = OIDCAccountCreation.roles.first(where: { $0.rawValue == role }) else {
                let names = OIDCAccountCreation.roles.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                throw create.error("role", "must be \(names): an account made by a provider's word holds no more")
            }
            guard let branch = try create.optionalInteger("branch", in: 1...Int64.max) else {
                throw create.error("branch", "is required: the branch the new accounts belong to")
            }
            settings.createAccounts = OIDCAccountCreation(role: chosen, branch: BranchID(branch))
        }
        return settings
    }
}
