import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SyncWire

extension CoreAPI {
    /// Branch devices: registration with a one-time enrolment code, the trade of that code for a
    /// device token, revocation, and the device's own calls.
    package static func declareDeviceRoutes(_ table: inout RouteTable) {
        table.add(
            .get, "/api/v1/devices", .privilege(.branches),
            "Devices of your branches: enrolment, last contact, software, replica age, outbox depth",
            answers: [.json(200, .array(.device))]
        ) { request in
            .json(try request.database.devices.devices(in: try visibleBranches(request, .branches)))
        }
        table.add(
            .post, "/api/v1/devices", .privilege(.branches),
            "Register a branch device; the answer carries its one-time enrolment code",
            body: [.required("branch", .id), .required("name", .name)],
            answers: [.json(201, .object(["device": .device, "enrollmentCode": .text]))]
        ) { request in
            struct Body: Decodable {
                let branch: Int64
                let name: String
            }
            let body = try request.body(Body.self)
            guard try request.actor.may(.branches, at: BranchID(body.branch)) else {
                return .error(403, "branches is not among your privileges at branch \(body.branch)")
            }
            let (device, code) = try request.database.write {
                let created = try request.database.devices.register(
                    branch: BranchID(body.branch), name: body.name, now: request.now,
                    validFor: request.enrollmentCodeSeconds)
                try request.audit(
                    "device.register", target: "device:\(created.0.id)",
                    changes: ["branch": body.branch, "name": body.name])
                return created
            }
            struct Answer: Encodable {
                let device: Device
                let enrollmentCode: String
            }
            return .json(Answer(device: device, enrollmentCode: code), status: 201)
        }
        table.add(
            .post, "/api/v1/devices/:id/code", .privilege(.branches),
            "A new enrolment code for a device (its current token stops working)",
            answers: [.json(201, .object(["enrollmentCode": .text]))]
        ) { request in
            let id = try request.id(what: "device")
            guard let device = try request.database.devices.device(id),
                try request.actor.may(.branches, at: device.branch)
            else { return .error(404, "no such device") }
            let code = try request.database.write {
                let code = try request.database.devices.reissueCode(
                    id, now: request.now, validFor: request.enrollmentCodeSeconds)
                if code != nil { try request.audit("device.code", target: "device:\(id)") }
                return code
            }
            guard let code else { return .error(409, "the device was revoked; register a new one") }
            return .json(["enrollmentCode": code], status: 201)
        }
        table.add(
            .delete, "/api/v1/devices/:id", .privilege(.branches), "Revoke a device: its token stops working at once",
            answers: [.noContent]
        ) { request in
            let id = try request.id(what: "device")
            guard let device = try request.database.devices.device(id),
                try request.actor.may(.branches, at: device.branch)
            else { return .error(404, "no such device") }
            let revoked = try request.database.write {
                let revoked = try request.database.devices.revoke(id, now: request.now)
                if revoked { try request.audit("device.revoke", target: "device:\(id)") }
                return revoked
            }
            return revoked ? HTTPResponse(status: 204) : .error(409, "the device was already revoked")
        }
        table.add(
            .post, "/api/v1/enroll", .anyone,
            "A branch device trades its one-time code for its token (shown once) and learns its branch",
            body: [.required("code", .string), .optional("softwareVersion", .string)], answers: [.json(201, .enrolment)]
        ) { request in
            struct Body: Decodable {
                let code: String
                let softwareVersion: String?
            }
            let body = try request.body(Body.self)
            let key = "enroll:" + request.api.clientAddress(of: request.context.request)
            let throttle = request.database.auth.throttle
            let policy = try request.database.auth.policy
            if let until = throttle.lockedUntil(key), request.now.seconds < until {
                var response = HTTPResponse.error(429, "too many wrong codes; wait")
                response.headers.append(("Retry-After", "\(until - request.now.seconds)"))
                return response
            }
            do {
                let (device, token, branch) = try request.database.write {
                    let (device, token) = try request.database.devices.enroll(code: body.code, now: request.now)
                    try request.database.devices.report(
                        device.id, softwareVersion: body.softwareVersion, replicaAgeSeconds: nil, outboxDepth: nil,
                        doorModes: nil,
                        now: request.now)
                    _ = try request.database.audit.append(
                        actor: "device:\(device.id)", action: "device.enroll", target: "device:\(device.id)",
                        changes: AuditChanges.json(["softwareVersion": body.softwareVersion ?? ""]),
                        concerning: [device.branch], at: request.now)
                    return (device, token, try request.database.accounts.branch(device.branch))
                }
                guard let branch else { return .error(409, "the device's branch no longer exists") }
                let key = try request.database.members.pinKey().map { String(format: "%02x", $0) }.joined()
                struct Answer: Encodable {
                    let device: Device
                    let token: String
                    let branch: Branch
                    let identity: SyncIdentity
                }
                return .json(
                    Answer(
                        device: device, token: token, branch: branch,
                        identity: SyncIdentity(
                            deviceID: device.id, branchID: branch.id.rawValue, branchName: branch.name,
                            timeZone: branch.timeZone, pinKey: key)),
                    status: 201)
            } catch let failure as DeviceAuthFailure {
                throttle.recordFailure(
                    key, limit: policy.maxFailuresPerAddress, now: request.now.seconds,
                    window: policy.failureWindowSeconds, lockout: policy.lockoutSeconds)
                try request.database.write {
                    _ = try request.database.audit.append(
                        actor: "anonymous", action: "device.enroll.failure", target: "enrollment",
                        changes: AuditChanges.json(["address": key.dropFirst(7).description]), at: request.now)
                }
                return .error(401, "\(failure)")
            }
        }
        table.add(
            .get, "/api/v1/device", .device, "The calling device and its branch",
            answers: [.json(200, .object(["device": .device], optional: ["branch": .branch]))]
        ) { request in
            guard let device = request.device else { return .error(401, "a device token is required") }
            struct Answer: Encodable {
                let device: Device
                let branch: Branch?
            }
            return .json(Answer(device: device, branch: try request.database.accounts.branch(device.branch)))
        }
        table.add(
            .post, "/api/v1/device/report", .device,
            "The device reports its software version, replica age and outbox depth",
            body: [
                .optional("softwareVersion", .string), .optional("replicaAgeSeconds", .count),
                .optional("outboxDepth", .count), .optional("doorModes", .array(.doorStateReport)),
            ], answers: [.noContent]
        ) { request in
            struct Body: Decodable {
                let softwareVersion: String?
                let replicaAgeSeconds: Int64?
                let outboxDepth: Int64?
                let doorModes: [SyncDoorState]?
            }
            let body = try request.body(Body.self)
            guard let device = request.device else { return .error(401, "a device token is required") }
            if let age = body.replicaAgeSeconds, age < 0 {
                return .error(400, "field \"replicaAgeSeconds\" must not be negative")
            }
            if let depth = body.outboxDepth, depth < 0 {
                return .error(400, "field \"outboxDepth\" must not be negative")
            }
            if let states = body.doorModes,
                !states.allSatisfy({ $0.door >= 1 && $0.name.count <= 100 && ($0.by?.count ?? 0) <= 200 })
            {
                return .error(400, "field \"doorModes\": a door id of 1 or more, a name of at most 100 characters")
            }
            try request.database.devices.report(
                device.id, softwareVersion: body.softwareVersion, replicaAgeSeconds: body.replicaAgeSeconds,
                outboxDepth: body.outboxDepth, doorModes: body.doorModes.map { Array($0.prefix(256)) },
                now: request.now)
            return HTTPResponse(status: 204)
        }
    }
}
