import Dispatch
import Foundation

/// Waits until `condition` holds or `seconds` pass, for states another process or thread reaches
/// with no event to block on (a count, a row at the core); true when it held. Tests use this
/// instead of fixed sleeps: they go on the moment the state is reached.
public func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = DispatchTime.now() + seconds
    let tick = DispatchSemaphore(value: 0)
    while try !condition() {
        guard DispatchTime.now() < deadline else { return false }
        _ = tick.wait(timeout: .now() + .milliseconds(10))
    }
    return true
}
