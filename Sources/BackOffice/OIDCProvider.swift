import Crypto
import Foundation
import Mail
import PorteroModel
import Synchronization

/// The provider's discovery document and signing keys, fetched over libcurl and kept for
/// `cacheSeconds`; the keys are fetched again (once, at most every `refetchSeconds`) when a token
/// names a key the set does not hold: the provider has rotated its keys.
package final class OIDCProvider: Sendable {
    package let settings: OIDCSettings
    let transport: WebhookTransport
    let cacheSeconds: Int64 = 3_600
    let refetchSeconds: Int64 = 10

    /// What discovery says, as far as this core uses it.
    package struct Metadata: Sendable {
        package let authorizationEndpoint: String
        package let tokenEndpoint: String
        package let jwksURI: String
        /// client_secret_basic unless the provider supports only client_secret_post.
        package let postSecret: Bool
    }

    private struct Cache {
        var metadata: (value: Metadata, at: Int64)?
        var keys: (value: [JSONWebKey], at: Int64)?
    }
    private let cache = Mutex(Cache())

    /// Calls to the provider run on the HTTP server's event loops: at most `concurrentCalls` at a
    /// time (the others answer 503 at once), each given up after `timeoutSeconds`, and none for
    /// `cooldownSeconds` after one could not reach it. A slow or absent provider then holds up at
    /// most one loop, briefly, whatever anonymous visitors send to /oidc/start and /oidc/callback.
    let concurrentCalls = 1
    let cooldownSeconds: UInt64 = 30
    private let inFlight = Atomic<Int>(0)
    private let unreachableUntil = Atomic<UInt64>(0)

    package init(settings: OIDCSettings, timeoutSeconds: Int = 5) {
        self.settings = settings
        transport = WebhookTransport(timeoutSeconds: timeoutSeconds)
    }

    /// Times the key set was fetched (for tests).
    package var keyFetches: Int { fetches.load(ordering: .relaxed) }
    private let fetches = Atomic<Int>(0)

    /// One request to the provider, under the limits above.
    private func call(_ url: String, body: [UInt8]? = nil, headers: [(String, String)]) throws(OIDCRefusal) -> (
        status: Int, body: [UInt8]
    ) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now >= unreachableUntil.load(ordering: .relaxed) else {
            throw OIDCRefusal(
                "provider_unreachable", "the sign-in provider could not be reached a moment ago; try again later",
                status: 503)
        }
        guard inFlight.add(1, ordering: .acquiring).newValue <= concurrentCalls else {
            inFlight.subtract(1, ordering: .releasing)
            throw OIDCRefusal("busy", "another sign-in is talking to the provider; try again in a moment", status: 503)
        }
        defer { inFlight.subtract(1, ordering: .releasing) }
        do {
            return try transport.exchange(url: url, body: body, headers: headers, limit: 1 << 20)
        } catch {
            unreachableUntil.store(now + cooldownSeconds * 1_000_000_000, ordering: .relaxed)
            throw OIDCRefusal("provider_unreachable", "the sign-in provider cannot be reached: \(error)", status: 502)
        }
    }

    private func document(_ url: String) throws(OIDCRefusal) -> [String: Any] {
        let answer = try call(url, headers: [("Accept", "application/json")])
        guard answer.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
        else {
            throw OIDCRefusal(
                "provider_error", "the sign-in provider answered \(answer.status) for \(url)", status: 502)
        }
        return object
    }

    /// The discovery document (`/.well-known/openid-configuration`), checked: its issuer must be
    /// the configured one, and every endpoint https (or http on this machine, as the issuer may).
    package func metadata(now: Timestamp) throws(OIDCRefusal) -> Metadata {
        if let kept = cache.withLock({ $0.metadata }), now.seconds - kept.at < cacheSeconds { return kept.value }
        let base = settings.issuer.hasSuffix("/") ? String(settings.issuer.dropLast()) : settings.issuer
        let found = try document(base + "/.well-known/openid-configuration")
        guard found["issuer"] as? String == settings.issuer else {
            throw OIDCRefusal(
                "provider_error",
                "the provider's discovery names issuer \(found["issuer"] ?? "none"), "
                    + "not \(settings.issuer)", status: 502)
        }
        // An endpoint is https, or http to this machine when the issuer itself is.
        let plainAllowed = settings.issuer.hasPrefix("http://")
        func endpoint(_ key: String) throws(OIDCRefusal) -> String {
            guard let text = found[key] as? String, let url = URLComponents(string: text), let host = url.host,
                url.scheme == "https" || (plainAllowed && url.scheme == "http" && MailSettings.isLoopback(host: host))
            else { throw OIDCRefusal("provider_error", "the provider's discovery has no usable \(key)", status: 502) }
            return text
        }
        let methods = found["token_endpoint_auth_methods_supported"] as? [String] ?? ["client_secret_basic"]
        let metadata = Metadata(
            authorizationEndpoint: try endpoint("authorization_endpoint"),
            tokenEndpoint: try endpoint("token_endpoint"),
            jwksURI: try endpoint("jwks_uri"),
            postSecret: !methods.contains("client_secret_basic") && methods.contains("client_secret_post"))
        cache.withLock { $0.metadata = (metadata, now.seconds) }
        return metadata
    }

    /// The provider's signing keys; `refresh` fetches them again unless that was done a moment ago.
    package func keys(now: Timestamp, refresh: Bool = false) throws(OIDCRefusal) -> [JSONWebKey] {
        let kept = cache.withLock { $0.keys }
        if let kept {
            let age = now.seconds - kept.at
            if age < cacheSeconds && (!refresh || age < refetchSeconds) { return kept.value }
        }
        let url = try metadata(now: now).jwksURI
        let answer = try call(url, headers: [("Accept", "application/json")])
        fetches.add(1, ordering: .relaxed)
        let keys = answer.status == 200 ? JSONWebKey.set(answer.body) : []
        guard !keys.isEmpty else {
            throw OIDCRefusal("provider_error", "the provider published no signing key this core can use", status: 502)
        }
        cache.withLock { $0.keys = (keys, now.seconds) }
        return keys
    }

    /// Trades the authorization code (and the PKCE verifier) for the provider's ID token.
    package func exchange(code: String, verifier: String, redirectURI: String, now: Timestamp) throws(OIDCRefusal)
        -> String
    {
        let metadata = try metadata(now: now)
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        if metadata.postSecret {
            form += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        } else {
            // RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
            let pair = "\(Self.formEncode(settings.clientID)):\(Self.formEncode(settings.clientSecret))"
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
            form.append(("client_id", settings.clientID))
        }
        let body = form.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let answer = try call(metadata.tokenEndpoint, body: Array(body.utf8), headers: headers)
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
        guard answer.status == 200, let token = object["id_token"] as? String else {
            let said = (object["error_description"] ?? object["error"]).map { ": \($0)" } ?? ""
            throw OIDCRefusal(
                "token_exchange", "the provider refused to give an ID token (HTTP \(answer.status))\(said)",
                status: 502)
        }
        return token
    }

    /// Checks an ID token: its algorithm, its signature against the provider's keys (fetched
    /// again once for a key not seen before), then its claims.
    package func verify(_ compact: String, nonce: String, now: Timestamp) throws(OIDCRefusal) -> IDToken.Verified {
        let token = try IDToken(compact)
        var signer = try token.signer(among: try keys(now: now))
        if signer == nil { signer = try token.signer(among: try keys(now: now, refresh: true)) }
        guard let signer else {
            throw OIDCRefusal("unknown_key", "the ID token was signed with a key the provider does not publish")
        }
        return try token.verify(
            with: signer, issuer: settings.issuer, clientID: settings.clientID, nonce: nonce, now: now.seconds)
    }

    package static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
