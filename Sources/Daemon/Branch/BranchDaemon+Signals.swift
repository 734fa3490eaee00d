import Foundation
import HTTP
import Hardware
import PorteroModel
import Readers
import Replica
import SQLite
import Service

/// Signals: SIGHUP reloads the configuration, SIGTERM and SIGINT stop the loop; and `--simulate`'s
/// standard input.
extension BranchDaemon {

    func handleSignals(now: MonotonicInstant) {
        for signal in signals.take() {
            switch signal {
            case SIGHUP: reload(now: now)
            default:
                log(.notice, "signal \(signal): stopping")
                running = false
            }
        }
    }

    /// SIGHUP: a valid new configuration replaces the old; a bad one is reported and the old stays.
    func reload(now: MonotonicInstant) {
        notifier.reloading()
        do {
            let fresh = try DaemonConfiguration.load(path: options.configurationPath)
            guard fresh.branchID == configuration.branchID, fresh.dataDirectory == configuration.dataDirectory else {
                log(.error, "reload refused: the branch or the data directory changed; restart the service for that")
                notifier.ready(status: statusLine)
                return
            }
            // A duress alarm under way goes on through the reload, to its own end.
            let alarmUntil = silentAlarm?.deadline
            teardown()
            configuration = fresh
            pinHasher = Self.loadPINKey(fresh, log: log)
            build(now: now)
            if let alarmUntil {
                do { try silentAlarm?.resume(until: alarmUntil) } catch { log(.error, "silent alarm output: \(error)") }
            }
            log(.notice, "configuration reloaded: \(statusLine)")
        } catch {
            log(.error, "reload refused, keeping the running configuration: \(error)")
        }
        notifier.ready(status: statusLine)
    }

    /// `--simulate`: lines `READER CARD` (or `READER keys 1234#`) act as that reader's input.
    func handleStandardInput(now: MonotonicInstant) {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(0, &chunk, chunk.count)
        if count <= 0 {
            log(.notice, "standard input closed: stopping")
            running = false
            return
        }
        for result in simulatorInput.append(chunk.prefix(count)) {
            switch result {
            case let .success(.card(name, number)):
                present(
                    .card(
                        CardRead(format: .wedge, bits: 0, facility: nil, number: number.rawValue, credential: number)),
                    at: name, now: now)
            case let .success(.keys(name, keys)):
                present(.keys(keys), at: name, now: now)
            case let .failure(refusal):
                log(.warning, "simulator: \(refusal)")
            }
        }
    }

    /// Input at the reader named `name`, as if it had read it (the simulator, tests).
    func present(_ event: ReaderEvent, at name: String, now: MonotonicInstant) {
        guard let reader = readers.first(where: { $0.name == name }) else {
            log(.warning, "simulator: no reader is named '\(name)'")
            return
        }
        handle([event], from: reader, now: now)
    }
}
