import Foundation
import HTTP
import Hardware
import LinuxSystem
import PorteroModel
import Readers
import Replica
import SQLite
import Service
import SyncWire

/// The branch's local endpoint: status, metrics and health, and the desk's changes.
extension BranchDaemon {

    /// The status endpoint's answers, and the local changes (POST, Unix socket only, with the
    /// peer the kernel names).
    func respond(to request: HTTPRequest, from peer: StatusServer.Peer?, now: MonotonicInstant) -> (Int, String, String)
    {
        if request.method == "POST" { return localChange(request, from: peer, now: now) }
        return respond(to: request.path)
    }

    /// Changes made at the branch, offline or not: a manual check-in (journalled and uploaded like
    /// any decision, and the door released once) and a card given at reception (usable here at
    /// once, sent to the core as a command; the feed then brings what the core made of it). Each
    /// records the local account that made it, as the kernel names the socket's peer; a change
    /// whose maker cannot be told is not made.
    func localChange(_ request: HTTPRequest, from peer: StatusServer.Peer?, now: MonotonicInstant) -> (
        Int, String, String
    ) {
        func refuse(_ status: Int, _ message: String) -> (Int, String, String) {
            (status, "application/json", #"{"error":"# + quoted(message) + "}\n")
        }
        let credentials: PeerCredentials
        switch peer {
        case let .success(found)?: credentials = found
        case let .failure(error)?: return refuse(500, "cannot tell which local user is asking: \(error)")
        case nil: return refuse(405, "changes are taken on the Unix socket only")
        }
        let who = localUser(credentials)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let user = (object["user"] as? NSNumber)?.int64Value, user > 0
        else { return refuse(400, "a JSON body with a user id is required") }
        let wall = clock.wall()
        switch request.path {
        case "/checkin":
            let reason = ((object["reason"] as? String) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (3...200).contains(reason.unicodeScalars.count) else {
                return refuse(400, "reason: say why, in 3 to 200 characters")
            }
            let doorID = (object["door"] as? NSNumber)?.int64Value ?? configuration.doors.first?.door.id.rawValue ?? 0
            guard let door = doors[DoorID(doorID)] else { return refuse(404, "no door \(doorID)") }
            do {
                guard try store.knows(UserID(user)) else {
                    return refuse(404, "user \(user) is not in this branch's replica")
                }
                var generator = SystemRandomNumberGenerator()
                let event = AttendanceEvent(
                    id: EventID(time: wall, using: &generator), at: wall, branchID: configuration.branchID,
                    doorID: door.door.id,
                    direction: .entry, credentialKind: .manual, cardNumber: nil, userID: UserID(user),
                    subscriptionID: nil,
                    granted: true, reason: .grantedManual, note: "\(reason); at the desk by \(who)")
                try store.record(event, newState: nil)
                door.noteGrant(user: UserID(user), direction: .entry)
                apply(door.controller.grant(.entry, at: now), to: door)
                log(
                    .notice,
                    "door \(door.door.name): manual check-in of user \(user) at the desk by \(who), "
                        + "pid \(credentials.processID): \(reason)")
                return (201, "application/json", #"{"event":"\#(event.id)"}"# + "\n")
            } catch {
                return refuse(503, "the replica refused the check-in: \(error)")
            }
        case "/cards":
            guard let text = object["number"] as? String, let number = try? CardNumber(parsing: text) else {
                return refuse(400, "number: a card number such as 12345678, 0x00BC6146 or 188,24910")
            }
            do {
                let command = try store.enrollLocalCard(user: UserID(user), number: number, now: wall, by: who)
                log(
                    .notice,
                    "card \(number) given to user \(user) at the desk by \(who), pid \(credentials.processID); "
                        + "sent to the core as command \(command)")
                return (202, "application/json", #"{"command":\#(command)}"# + "\n")
            } catch let error as LocalChangeError {
                return refuse(error.status, error.message)
            } catch {
                return refuse(503, "the replica refused the card: \(error)")
            }
        default:
            return refuse(404, "changes are POST /checkin or POST /cards")
        }
    }

    /// The local account behind a change: the uid the kernel gave, and its name from the password
    /// database (when that cannot be read, the uid alone names it, and the failure is logged).
    func localUser(_ peer: PeerCredentials) -> SyncLocalUser {
        do {
            return SyncLocalUser(uid: peer.userID, name: try PeerCredentials.userName(of: peer.userID))
        } catch {
            log(.warning, "local changes: the name of uid \(peer.userID) cannot be read (\(error)); the uid stands")
            return SyncLocalUser(uid: peer.userID, name: nil)
        }
    }

    func quoted(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
    }

    /// The status endpoint's answers.
    func respond(to path: String) -> (Int, String, String) {
        switch path {
        case "/health":
            return (200, "text/plain", health + "\n")
        case "/status":
            return (200, "application/json", statusJSON())
        case "/metrics":
            let outbox = (try? store.outboxDepth()) ?? -1
            let age =
                (try? store.lastSyncedAt()).flatMap { $0 }.map {
                    Double(clock.wall().milliseconds(since: $0)) / 1000
                } ?? -1
            let text = metrics.render(
                readerErrors: Dictionary(readers.map { ($0.name, $0.errors) }, uniquingKeysWith: +),
                gauges: [
                    ("portero_outbox_depth", "Attendance events waiting for the core.", Double(outbox)),
                    ("portero_replica_size_bytes", "The replica file and its log.", Double(store.sizeInBytes())),
                    ("portero_replica_age_seconds", "Since the last sync batch (-1: never).", age),
                    ("portero_readers_open", "Readers whose device is open.", Double(readers.filter(\.isOpen).count)),
                    (
                        "portero_doors_in_alarm", "Doors with an alarm raised.",
                        Double(doors.values.filter { !$0.controller.alarms.isEmpty }.count)
                    ),
                ])
            return (200, "text/plain; version=0.0.4", text)
        default:
            return (404, "text/plain", "not found: try /health, /status or /metrics\n")
        }
    }

    var health: String {
        let readersDown = readers.contains { !$0.isOpen }
        let doorsDown = doors.count < configuration.doors.count
        return readersDown || doorsDown || metrics.journalFailures > 0 ? "degraded" : "ok"
    }

    func statusJSON() -> String {
        let now = clock.monotonic()
        struct DoorStatus: Encodable {
            var id: Int64
            var name: String
            var state: String
            var lock: String
            var alarms: [String]
            var mode: String
            /// The core's command that set the mode, who gave it and until when.
            var modeCommand: Int64?
            var modeBy: String?
            var modeUntil: Timestamp?
        }
        struct ReaderStatus: Encodable {
            var name: String
            var door: Int64
            var open: Bool
            var lastFrameSecondsAgo: Double?
            var errors: Int
        }
        struct ReplicaStatus: Encodable {
            var sizeBytes: Int
            var syncCursor: Int64
            var ageSeconds: Double?
            var outboxDepth: Int
        }
        struct Status: Encodable {
            var health: String
            var branch: Int64
            var uptimeSeconds: Double
            var decisions: Int
            var journalFailures: Int
            var doors: [DoorStatus]
            var readers: [ReaderStatus]
            var replica: ReplicaStatus
            var sync: SyncStatus?
            var occupancy: OccupancyStatus?
        }
        let wall = clock.wall()
        let status = Status(
            health: health, branch: configuration.branchID.rawValue,
            uptimeSeconds: Double(now.nanoseconds(since: started)) / 1e9,
            decisions: decisions, journalFailures: metrics.journalFailures,
            doors: doors.values.sorted { $0.door.id < $1.door.id }.map {
                let command = remoteModes.command(for: $0.door.id.rawValue, at: modeTime(now))
                return DoorStatus(
                    id: $0.door.id.rawValue, name: $0.door.name, state: $0.controller.state.rawValue,
                    lock: $0.controller.lockReleased ? "released" : "locked",
                    alarms: $0.controller.alarms.map(\.rawValue).sorted(), mode: $0.controller.mode.rawValue,
                    modeCommand: command?.id, modeBy: command?.by, modeUntil: command?.until)
            },
            readers: readers.map {
                ReaderStatus(
                    name: $0.name, door: $0.configuration.doorID.rawValue, open: $0.isOpen,
                    lastFrameSecondsAgo: $0.lastFrame.map { Double(now.nanoseconds(since: $0)) / 1e9 },
                    errors: $0.errors)
            },
            replica: ReplicaStatus(
                sizeBytes: store.sizeInBytes(), syncCursor: (try? store.syncCursor()) ?? 0,
                ageSeconds: (try? store.lastSyncedAt()).flatMap { $0 }.map {
                    Double(wall.milliseconds(since: $0)) / 1000
                },
                outboxDepth: (try? store.outboxDepth()) ?? -1),
            sync: sync?.status.withLock { $0 }, occupancy: occupancyStatus())
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(status), as: UTF8.self)).map { $0 + "\n" } ?? "{}\n"
    }
}
