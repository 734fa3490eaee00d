import CoreStorage
import Foundation
import Mail
import PorteroModel

extension CoreAPI {
    /// Sends what the outbox holds due now, one message at a time, until none is due: each is
    /// claimed first (so two core instances never send one twice), then marked sent, or failed
    /// and retried later with backoff. A message's body is blanked once it is sent or given up:
    /// a reset link in it must not outlive its delivery. Returns the messages sent and failed.
    @discardableResult
    public func deliverMail(through send: (MailMessage) throws -> Void, from sender: String) -> (sent: Int, failed: Int)
    {
        var sent = 0
        var failed = 0
        while true {
            let claimed: OutboxMessage?
            do {
                claimed = try withDatabase { database in
                    try database.write { try database.mail.claimDue(now: clock()) }
                }
            } catch {
                log(.error, "mail: reading the outbox: \(error)")
                return (sent, failed)
            }
            guard let message = claimed else { return (sent, failed) }
            let outcome: Result<Void, any Error> = Result {
                try send(MailMessage(from: sender, to: message.recipient, subject: message.subject, body: message.body))
            }
            do {
                try withDatabase { database in
                    try database.write {
                        switch outcome {
                        case .success:
                            try database.mail.markSent(message.id, now: clock())
                            sent += 1
                        case let .failure(error):
                            failed += 1
                            let givenUp = try database.mail.markFailed(message.id, error: "\(error)", now: clock())
                            log(
                                givenUp ? .error : .warning,
                                "mail \(message.id) to \(message.recipient): \(error)\(givenUp ? "; given up" : "")")
                        }
                    }
                }
            } catch {
                log(.error, "mail: recording the delivery of \(message.id): \(error)")
                return (sent, failed)
            }
        }
    }

    /// Waits up to `seconds` for a message to be queued by this instance (others' are found by the
    /// next round anyway).
    public func waitForMail(seconds: Double) { _ = mailWaiting.wait(timeout: .now() + seconds) }
}
