import Crypto
import Foundation
import PorteroModel
import SQLite

extension Authenticator {
    /// Sessions and lockouts as they stand now: the chain's configuration over the deployment's
    /// policy. Worked out again whenever the sign-in generation moves (saving the configuration
    /// moves it), so every instance of the core over one database applies a change at once.
    public var policy: AuthPolicy {
        get throws { try policy(at: signInGeneration()) }
    }

    /// The policy at a sign-in generation already read.
    func policy(at generation: Int64) throws -> AuthPolicy {
        if let seen = policySeen, seen.generation == generation { return seen.policy }
        let policy = try SQLSettingsStore(connection: db).chain().authPolicy(over: basePolicy)
        policySeen = (generation, policy)
        return policy
    }

    /// Moves the sign-in generation (in the caller's transaction): every connection of every
    /// instance works out the policy again, and reads its kept sessions again.
    public func policyChanged() throws {
        try db.run("UPDATE sign_in_generation SET value = value + 1 WHERE id = 1")
    }

    /// The `Set-Cookie` value for a session: HttpOnly, SameSite=Strict, Secure behind TLS.
    public func cookie(token: String, secure: Bool) throws -> String {
        let age = try policy.sessionAbsoluteSeconds
        return "portero_session=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(age)"
            + (secure ? "; Secure" : "")
    }

    func recordFailure(_ key: String, limit: Int, now: Int64, _ policy: AuthPolicy) {
        throttle.recordFailure(
            key, limit: limit, now: now, window: policy.failureWindowSeconds, lockout: policy.lockoutSeconds)
    }

    package static func makeDummyHash(_ hasher: PasswordHasher) -> String {
        // Same parameters as real hashes; the password behind it is random and unknown.
        (try? hasher.hash(base64URL((try? SecureRandom.bytes(16)) ?? [])))
            ?? "$scrypt$ln=1,r=1,p=1$AA$AAAAAAAAAAAAAAAAAAAAAA"
    }

    package static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(
            of: "/", with: "_"
        ).replacingOccurrences(of: "=", with: "")
    }
}
