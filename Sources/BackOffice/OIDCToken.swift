import Crypto
import Foundation

/// Why a sign-in through the OpenID provider was refused: `reason` is the audit row's word,
/// `description` the sentence the browser is shown.
package struct OIDCRefusal: Error, Equatable, CustomStringConvertible, Sendable {
    package let reason: String
    package let description: String
    /// The HTTP status the browser gets.
    package let status: Int

    package init(_ reason: String, _ description: String, status: Int = 401) {
        self.reason = reason
        self.description = description
        self.status = status
    }
}

/// A key from the provider's JWKS (RFC 7517): RSA or P-256, for signatures.
package struct JSONWebKey: Sendable {
    package let kid: String?
    package let alg: String?
    package let key: PublicKey

    /// Nil for keys this core does not use (encryption keys, other curves, symmetric keys).
    package init?(_ object: [String: Any]) {
        if let use = object["use"] as? String, use != "sig" { return nil }
        kid = object["kid"] as? String
        alg = object["alg"] as? String
        switch object["kty"] as? String {
        case "RSA":
            guard let n = (object["n"] as? String).flatMap(Base64URL.decode),
                let e = (object["e"] as? String).flatMap(Base64URL.decode),
                let key = try? PublicKey.rsa(modulus: n, exponent: e)
            else { return nil }
            self.key = key
        case "EC":
            guard object["crv"] as? String == "P-256", let x = (object["x"] as? String).flatMap(Base64URL.decode),
                let y = (object["y"] as? String).flatMap(Base64URL.decode), let key = try? PublicKey.p256(x: x, y: y)
            else { return nil }
            self.key = key
        default: return nil
        }
    }

    /// The keys of a JWKS document (`{"keys": [...]}`) this core can use.
    package static func set(_ data: [UInt8]) -> [JSONWebKey] {
        guard let document = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
            let keys = document["keys"] as? [[String: Any]]
        else { return [] }
        return keys.compactMap(JSONWebKey.init)
    }
}

/// base64url without padding (RFC 4648 §5), as JOSE writes it.
package enum Base64URL {
    package static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }

    package static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// An ID token (a compact JWS) split into its parts, its signature not yet checked.
package struct IDToken {
    package let header: [String: Any]
    package let claims: [String: Any]
    package let signingInput: [UInt8]
    package let signature: [UInt8]

    package init(_ compact: String) throws(OIDCRefusal) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let malformed = OIDCRefusal("malformed", "the provider's ID token is not a signed JWT")
        guard parts.count == 3, compact.utf8.count < 65_536, let headerBytes = Base64URL.decode(parts[0]),
            let claimBytes = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: Data(claimBytes)) as? [String: Any]
        else { throw malformed }
        self.header = header
        self.claims = claims
        self.signature = signature
        signingInput = Array("\(parts[0]).\(parts[1])".utf8)
    }

    /// The algorithm from the header, when it is one this core verifies (RS256, ES256); `none`,
    /// HMAC (which would take the public key as a shared secret) and anything else are refused.
    package var algorithm: PublicKey.Kind {
        get throws(OIDCRefusal) {
            switch header["alg"] as? String {
            case "RS256": return .rsa
            case "ES256": return .p256
            case "none": throw OIDCRefusal("alg_none", "the ID token is unsigned (alg \"none\"); refused")
            case let alg?:
                throw OIDCRefusal("alg_refused", "the ID token's algorithm \"\(alg)\" is not RS256 or ES256; refused")
            case nil: throw OIDCRefusal("malformed", "the ID token's header names no algorithm")
            }
        }
    }

    /// The key among `keys` that signed this token: the one its `kid` names (any of the right
    /// type when it names none). Nil when no key fits (perhaps rotated: fetch the set again).
    package func signer(among keys: [JSONWebKey]) throws(OIDCRefusal) -> JSONWebKey? {
        let kind = try algorithm
        let fitting = keys.filter { $0.key.kind == kind && ($0.alg == nil || $0.alg == header["alg"] as? String) }
        if let kid = header["kid"] as? String { return fitting.first { $0.kid == kid } }
        return fitting.first
    }

    /// What the verified token says.
    package struct Verified: Equatable, Sendable {
        package let subject: String
        package let email: String
        /// The person's name as the provider gives it (for an account made by the sign-in).
        package var name: String?
    }

    /// Checks the signature with `key`, then the claims: issuer, audience (and `azp` when there
    /// are several), expiry and issue time (with `leeway` seconds), the nonce, and a verified email.
    package func verify(
        with key: JSONWebKey, issuer: String, clientID: String, nonce: String, now: Int64, leeway: Int64 = 60
    ) throws(OIDCRefusal) -> Verified {
        _ = try algorithm
        guard key.key.verifySHA256(signature: signature, message: signingInput) else {
            throw OIDCRefusal("bad_signature", "the ID token's signature does not match the provider's key")
        }
        guard claims["iss"] as? String == issuer else {
            throw OIDCRefusal("wrong_issuer", "the ID token was issued by \(claims["iss"] ?? "no one"), not \(issuer)")
        }
        let audiences = (claims["aud"] as? [String]) ?? [(claims["aud"] as? String)].compactMap { $0 }
        guard audiences.contains(clientID) else {
            throw OIDCRefusal("wrong_audience", "the ID token is meant for another application (aud)")
        }
        if audiences.count > 1 || claims["azp"] != nil, claims["azp"] as? String != clientID {
            throw OIDCRefusal("wrong_audience", "the ID token was requested by another application (azp)")
        }
        guard let exp = Self.seconds(claims["exp"]), let iat = Self.seconds(claims["iat"]) else {
            throw OIDCRefusal("malformed", "the ID token has no expiry or issue time")
        }
        guard now <= exp + leeway else { throw OIDCRefusal("expired", "the ID token has expired") }
        guard iat <= now + leeway, Self.seconds(claims["nbf"]).map({ $0 <= now + leeway }) ?? true else {
            throw OIDCRefusal("issued_in_future", "the ID token was issued in the future; check the clocks")
        }
        guard let sent = claims["nonce"] as? String, constantTimeEquals(Array(sent.utf8), Array(nonce.utf8)) else {
            throw OIDCRefusal("nonce_mismatch", "the ID token does not answer this sign-in (nonce)")
        }
        guard let subject = claims["sub"] as? String, !subject.isEmpty, subject.utf8.count <= 255 else {
            throw OIDCRefusal("malformed", "the ID token names no subject")
        }
        guard let email = claims["email"] as? String, !email.isEmpty, email.utf8.count <= 254 else {
            throw OIDCRefusal("no_email", "the provider gave no email address; allow the email scope", status: 403)
        }
        // Some providers send the flag as a string.
        let verified = (claims["email_verified"] as? Bool) ?? ((claims["email_verified"] as? String) == "true")
        guard verified else {
            throw OIDCRefusal("email_unverified", "the provider has not verified \(email)", status: 403)
        }
        return Verified(subject: subject, email: email, name: claims["name"] as? String)
    }

    private static func seconds(_ value: Any?) -> Int64? {
        (value as? NSNumber)?.int64Value
    }
}
