import CoreStorage
import Crypto
import HTTP
import PorteroModel

extension CoreAPI {
    /// A person's PIN and duress PIN: set (4 to 12 digits, hashed with the deployment's PIN key,
    /// never readable again) and removed, by those who may manage the person. Each is one
    /// person's alone: a PIN-only keypad identifies the person by it.
    package static func declarePINRoutes(_ table: inout RouteTable) {
        for (path, duress) in [("pin", false), ("duress-pin", true)] {
            let what = duress ? "duress PIN (it admits like the PIN and raises the silent alarm)" : "PIN"
            table.add(
                .put, "/api/v1/users/:id/\(path)", .privilege(.users),
                "Set or reset a user's \(what), 4 to 12 digits; it is never readable again",
                body: [.required("pin", .string(pattern: "^[0-9]{4,12}$"))], answers: [.noContent]
            ) { request in
                struct Body: Decodable { let pin: String }
                let body = try request.body(Body.self)
                let target = try managedTarget(request)
                try checkPINLength(body.pin, request)
                let digest: PINDigest
                do {
                    digest = PINDigest(
                        bytes: try PINHasher(key: try request.database.members.pinKey()).digest(body.pin))
                } catch let error as PINHasher.InvalidPIN {
                    throw AccountError(field: "pin", problem: error.reason)
                }
                do {
                    try request.database.write {
                        try request.database.members.setPIN(
                            target.id, digest: digest, duress: duress, now: request.now)
                        try request.audit(duress ? "pin.duress.set" : "pin.set", target: "user:\(target.id)")
                    }
                } catch let refusal as AccountError where refusal.kind == .conflict {
                    // A PIN someone else holds: refused, and the try is kept, so a search for
                    // taken PINs shows in the audit trail.
                    try request.database.write {
                        try request.audit(
                            duress ? "pin.duress.taken" : "pin.taken", target: "user:\(target.id)")
                    }
                    throw refusal
                }
                return HTTPResponse(status: 204)
            }
            table.add(
                .delete, "/api/v1/users/:id/\(path)", .privilege(.users), "Remove a user's \(what)",
                answers: [.noContent]
            ) { request in
                let target = try managedTarget(request)
                try request.database.write {
                    try request.database.members.setPIN(target.id, digest: nil, duress: duress, now: request.now)
                    try request.audit(duress ? "pin.duress.clear" : "pin.clear", target: "user:\(target.id)")
                }
                return HTTPResponse(status: 204)
            }
        }
    }
}
