import CoreStorage
import Crypto
import Foundation
import HTTP
import PorteroModel

/// Signing in through the OpenID provider (authorization code flow with PKCE): the sign-in's
/// state, nonce and verifier are kept in the database (so any instance of the core may take
/// the provider's answer), bound to the browser by a cookie, and used once.
extension CoreAPI {
    /// How long a sign-in may stay at the provider (and at the second factor) before it is void.
    package static let oidcPendingSeconds: Int64 = 600

    /// Where the provider sends people back.
    package var oidcRedirectURI: String { (publicURL ?? "") + "/oidc/callback" }

    package enum OIDCOutcome {
        /// A session: its cookie's token, and where to go.
        case signedIn(token: String, next: String)
        /// The account has a second factor: its code is asked, the sign-in kept under `key`.
        case secondFactor(key: String, next: String)
        case refused(OIDCRefusal)
    }

    /// Starts a sign-in: the provider's address to send the browser to, and the value of the
    /// cookie that binds the answer to this browser.
    package func oidcStart(next: String, address: String, now: Timestamp) throws(OIDCRefusal) -> (
        location: String, browser: String
    ) {
        guard let oidc else { throw OIDCRefusal("not_configured", "no sign-in provider is configured", status: 404) }
        // Each start writes a row: at most 30 from one address in 15 minutes.
        let throttled =
            (try? withDatabase { database -> Bool in
                let key = "oidc-start:\(address)"
                let seconds = now.milliseconds / 1_000
                if let until = database.auth.throttle.lockedUntil(key), until > seconds { return true }
                database.auth.throttle.recordFailure(key, limit: 30, now: seconds, window: 900, lockout: 900)
                return false
            }) ?? false
        if throttled {
            throw OIDCRefusal("locked", "too many sign-ins started from this address; wait a few minutes", status: 429)
        }
        let metadata = try oidc.metadata(now: now)
        let random = { () throws(OIDCRefusal) -> String in
            guard let bytes = try? SecureRandom.bytes(32) else {
                throw OIDCRefusal("internal", "no randomness available", status: 500)
            }
            return Base64URL.encode(bytes)
        }
        let (state, nonce, verifier, browser) = (try random(), try random(), try random(), try random())
        let pending = OIDCPending(
            step: .authorize, browserHash: Digest.sha256(Array(browser.utf8)), nonce: nonce, verifier: verifier,
            next: next, user: nil, createdAt: now)
        do {
            try withDatabase { database in try database.oidc.addPending(key: state, pending) }
        } catch {
            throw OIDCRefusal("internal", "the sign-in could not be recorded", status: 503)
        }
        let query = [
            ("response_type", "code"), ("client_id", oidc.settings.clientID), ("redirect_uri", oidcRedirectURI),
            ("scope", oidc.settings.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", Base64URL.encode(Digest.sha256(Array(verifier.utf8)))),
            ("code_challenge_method", "S256"),
        ].map { "\($0.0)=\(OIDCProvider.formEncode($0.1))" }.joined(separator: "&")
        let separator = metadata.authorizationEndpoint.contains("?") ? "&" : "?"
        return (metadata.authorizationEndpoint + separator + query, browser)
    }

    /// The provider's answer: checks the state against this browser (once), trades the code for
    /// an ID token, verifies it and finds the account. Every refusal is audited.
    package func oidcCallback(
        state: String?, code: String?, error: String?, browser: String?, address: String, now: Timestamp
    ) -> OIDCOutcome {
        do {
            guard let oidc else {
                throw OIDCRefusal("not_configured", "no sign-in provider is configured", status: 404)
            }
            guard let state, !state.isEmpty else {
                throw OIDCRefusal("state_missing", "the provider's answer carries no state", status: 400)
            }
            let pending = try oidcDatabase { database in
                try database.oidc.takePending(key: state, now: now, maxAgeSeconds: Self.oidcPendingSeconds)
            }
            guard let pending, pending.step == .authorize else {
                throw OIDCRefusal(
                    "state_unknown", "this sign-in was already used or has expired; start again", status: 400)
            }
            guard let browser, constantTimeEquals(Digest.sha256(Array(browser.utf8)), pending.browserHash) else {
                throw OIDCRefusal(
                    "state_browser", "this sign-in was started in another browser; start again", status: 400)
            }
            do {
                try oidcDatabase { database in try database.auth.checkNotLockedOut(nil, address: address, now: now) }
            } catch let failure as AuthFailure {
                throw OIDCRefusal("locked", failure.description, status: 429)
            }
            if let error {
                throw OIDCRefusal("provider_denied", "the provider did not sign you in (\(error))", status: 403)
            }
            guard let code, !code.isEmpty else {
                throw OIDCRefusal("code_missing", "the provider's answer carries no code", status: 400)
            }
            let idToken = try oidc.exchange(
                code: code, verifier: pending.verifier, redirectURI: oidcRedirectURI, now: now)
            let verified = try oidc.verify(idToken, nonce: pending.nonce, now: now)
            return try oidcDatabase { database in
                try oidcAccount(verified, issuer: oidc.settings.issuer, next: pending.next, address, database, now)
            }
        } catch let refusal as OIDCRefusal {
            return refuseOIDC(refusal, account: nil, address: address, now: now)
        } catch let refusal as OIDCAccountRefusal {
            return refuseOIDC(refusal.refusal, account: refusal.account, address: address, now: now)
        } catch {
            log(.error, "oidc callback: \(error)")
            return .refused(OIDCRefusal("internal", "the sign-in could not be completed; try again", status: 503))
        }
    }

    /// The account the verified token stands for: the one linked to its subject, else the one
    /// with its verified email (then linked). Active accounts only, under the lockouts and the
    /// sign-in networks; the second factor is asked when the account has one.
    private func oidcAccount(
        _ verified: IDToken.Verified, issuer: String, next: String, _ address: String, _ database: CoreDatabase,
        _ now: Timestamp
    ) throws -> OIDCOutcome {
        var account: Account?
        var newLink = false
        if let linked = try database.oidc.user(issuer: issuer, subject: verified.subject) {
            account = try database.accounts.account(linked)
        } else if let found = try database.accounts.findForLogin(verified.email)?.0,
            found.email.lowercased() == verified.email.lowercased()
        {
            if try database.oidc.link(of: found.id, issuer: issuer) != nil {
                throw OIDCAccountRefusal(
                    refusal: OIDCRefusal(
                        "linked_elsewhere",
                        "the account for \(verified.email) is linked to another identity at the provider; its "
                            + "owner can unlink it in their settings", status: 403),
                    account: found)
            }
            account = found
            newLink = true
        }
        if account == nil, let create = oidc?.settings.createAccounts {
            account = try database.write { try oidcCreateAccount(verified, create, address, database, now) }
            newLink = true
        }
        guard let account else {
            throw OIDCRefusal(
                "unknown_account", "no account has the email \(verified.email); ask an administrator for one",
                status: 403)
        }
        do {
            try database.auth.checkNotLockedOut(account, address: address, now: now)
        } catch let failure as AuthFailure {
            throw OIDCAccountRefusal(
                refusal: OIDCRefusal("locked", failure.description, status: 429), account: account)
        }
        guard account.active else {
            throw OIDCAccountRefusal(
                refusal: OIDCRefusal("inactive", "the account for \(verified.email) is deactivated", status: 403),
                account: account)
        }
        let refused = Self.rolesRefused(account, from: address, try database.settings.chain())
        if !refused.isEmpty {
            let names = refused.map(\.displayName).joined(separator: ", ")
            throw OIDCAccountRefusal(
                refusal: OIDCRefusal(
                    "network_refused", "\(names) may not sign in from this network (\(address))", status: 403),
                account: account)
        }
        return try database.write {
            if try database.auth.hasSecondFactor(account.id, now: now) {
                // A new link is written only once the code is right: until then the identity at
                // the provider has proved nothing about this account but its email. The pending
                // step keeps the subject and email to link in its nonce and verifier fields.
                if !newLink {
                    try database.oidc.touchLink(
                        issuer: issuer, subject: verified.subject, email: verified.email, now: now)
                }
                let key = Base64URL.encode(try SecureRandom.bytes(32))
                try database.oidc.addPending(
                    key: key,
                    OIDCPending(
                        step: .secondFactor, browserHash: Digest.sha256(Array(key.utf8)),
                        nonce: newLink ? verified.subject : "", verifier: newLink ? verified.email : "",
                        next: next, user: account.id, createdAt: now))
                return .secondFactor(key: key, next: next)
            }
            if newLink {
                try oidcLink(account, issuer: issuer, subject: verified.subject, email: verified.email, database, now)
            } else {
                try database.oidc.touchLink(issuer: issuer, subject: verified.subject, email: verified.email, now: now)
            }
            let opened = try database.auth.openSession(for: account, address: address, method: "oidc", now: now)
            return .signedIn(token: opened.token, next: next)
        }
    }

    /// Links `account` to the provider's `subject`, audited.
    private func oidcLink(
        _ account: Account, issuer: String, subject: String, email: String, _ database: CoreDatabase,
        _ now: Timestamp
    ) throws {
        try database.oidc.addLink(account.id, issuer: issuer, subject: subject, email: email, now: now)
        _ = try database.audit.append(
            actor: "user:\(account.id)", action: "oidc.link", target: "user:\(account.id)",
            changes: AuditChanges.json(["issuer": issuer, "subject": subject]), concerning: account.branches, at: now)
    }

    /// An account for an unknown verified email, as the configuration allows (`create_accounts`):
    /// its username from the address (made unique), its name from the token, no password.
    private func oidcCreateAccount(
        _ verified: IDToken.Verified, _ create: OIDCAccountCreation, _ address: String, _ database: CoreDatabase,
        _ now: Timestamp
    ) throws -> Account {
        let local = verified.email.split(separator: "@").first.map(String.init) ?? "user"
        var base = String(local.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }.prefix(56))
        if base.count < 3 { base = "user-" + base }
        var username = base
        var suffix = 1
        while try database.accounts.findForLogin(username) != nil {
            suffix += 1
            username = "\(base)-\(suffix)"
        }
        let given = (verified.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let name = (1...100).contains(given.count) && !given.contains(where: \.isNewline) ? given : local
        let account = try database.accounts.createAccount(
            username: username, email: verified.email, password: nil, name: name, paternalSurname: "",
            roles: RoleSet([create.role]), branches: [create.branch], now: now)
        try database.members.recordChange("user", account.id.rawValue, now: now)
        try database.webhookEvent(
            "member", branches: account.branches, data: ["user": account.id.rawValue, "change": "created"], now: now)
        _ = try database.audit.append(
            actor: "oidc", action: "user.create", target: "user:\(account.id)",
            changes: AuditChanges.json([
                "username": username, "roles": [create.role.rawValue], "branches": [create.branch.rawValue],
                "address": address,
            ]), concerning: account.branches, at: now)
        return account
    }

    /// The second factor of a sign-in the provider vouched for. A wrong code keeps the sign-in
    /// (until its time is up) and counts against the account like a wrong password.
    package func oidcSecondFactor(key: String?, code: String, address: String, now: Timestamp) -> OIDCOutcome {
        do {
            guard let key, !key.isEmpty,
                let pending = try oidcDatabase({ database in
                    try database.oidc.takePending(key: key, now: now, maxAgeSeconds: Self.oidcPendingSeconds)
                }), pending.step == .secondFactor, let user = pending.user
            else {
                throw OIDCRefusal(
                    "state_unknown", "this sign-in was already used or has expired; start again", status: 400)
            }
            return try oidcDatabase { database in
                guard let account = try database.accounts.account(user), account.active else {
                    throw OIDCRefusal("inactive", "the account is deactivated", status: 403)
                }
                do {
                    try database.auth.checkNotLockedOut(account, address: address, now: now)
                } catch let failure as AuthFailure {
                    throw OIDCAccountRefusal(
                        refusal: OIDCRefusal("locked", failure.description, status: 429), account: account)
                }
                guard try database.auth.checkSecondFactor(account, code: code, address: address, now: now) else {
                    try database.oidc.addPending(key: key, pending)
                    throw OIDCAccountRefusal(
                        refusal: OIDCRefusal("second_factor", "the one-time code is wrong", status: 401),
                        account: account)
                }
                return try database.write {
                    if !pending.nonce.isEmpty, let issuer = oidc?.settings.issuer {
                        guard try database.oidc.link(of: account.id, issuer: issuer) == nil,
                            try database.oidc.user(issuer: issuer, subject: pending.nonce) == nil
                        else {
                            throw OIDCAccountRefusal(
                                refusal: OIDCRefusal(
                                    "linked_elsewhere", "the account or the identity was linked meanwhile; start again",
                                    status: 403),
                                account: account)
                        }
                        try oidcLink(
                            account, issuer: issuer, subject: pending.nonce, email: pending.verifier, database, now)
                    }
                    let opened = try database.auth.openSession(for: account, address: address, method: "oidc", now: now)
                    return .signedIn(token: opened.token, next: pending.next)
                }
            }
        } catch let refusal as OIDCRefusal {
            return refuseOIDC(refusal, account: nil, address: address, now: now)
        } catch let refusal as OIDCAccountRefusal {
            return refuseOIDC(refusal.refusal, account: refusal.account, address: address, now: now)
        } catch {
            log(.error, "oidc second factor: \(error)")
            return .refused(OIDCRefusal("internal", "the sign-in could not be completed; try again", status: 503))
        }
    }

    /// A refusal about a known account (its administrators see the audit row).
    struct OIDCAccountRefusal: Error {
        let refusal: OIDCRefusal
        let account: Account
    }

    /// A database step of the flow; an account refusal inside it is audited as such.
    private func oidcDatabase<T>(_ body: (CoreDatabase) throws -> T) throws -> T {
        try withDatabase(body)
    }

    /// Audits a refusal (`login.oidc_refused`, the reason and the address in the row) and counts
    /// it against the address (and the account, when known).
    private func refuseOIDC(_ refusal: OIDCRefusal, account: Account?, address: String, now: Timestamp)
        -> OIDCOutcome
    {
        do {
            try withDatabase { database in
                if !["locked", "second_factor"].contains(refusal.reason) {
                    try database.auth.recordRefusal(account, address: address, now: now)
                }
                try database.write {
                    _ = try database.audit.append(
                        actor: "anonymous", action: "login.oidc_refused",
                        target: account.map { "user:\($0.id)" } ?? "login",
                        changes: AuditChanges.json(["address": address, "reason": refusal.reason]),
                        concerning: account?.branches ?? [], at: now)
                }
            }
        } catch {
            log(.error, "oidc refusal not audited: \(error)")
        }
        return .refused(refusal)
    }
}
