import CoreStorage
import Foundation
import PostgreSQL
import Service
import Synchronization

/// Wakes this instance's long polls when another instance over the same PostgreSQL database
/// commits a change: the schema's triggers `NOTIFY portero_changes` with every change-log or
/// attendance insert (delivered at commit), and this thread, on a connection of its own,
/// `LISTEN`s and tells the feed. A lost connection is opened again every second; meanwhile the
/// feed still re-checks its waiters every second.
package final class ChangeListener: Sendable {
    package static let channel = "portero_changes"
    private let url: String
    private let feed: FeedNotifier
    private let log: Log
    private let stopped = Atomic<Bool>(false)
    private let heard = Atomic<Int>(0)
    private let listening = Atomic<Bool>(false)

    package init(url: String, feed: FeedNotifier, log: Log) {
        self.url = url
        self.feed = feed
        self.log = log
    }

    /// Notifications heard so far (for tests).
    package var notificationsHeard: Int { heard.load(ordering: .relaxed) }
    /// True while a connection listens.
    package var isListening: Bool { listening.load(ordering: .relaxed) }

    package func start() {
        let thread = Thread { [self] in run() }
        thread.name = "portero.listen"
        thread.start()
    }

    package func stop() { stopped.store(true, ordering: .relaxed) }

    private func run() {
        var connection: PGConnection?
        while !stopped.load(ordering: .relaxed) {
            do {
                if connection == nil {
                    let opened = try PGConnection(url: url)
                    try opened.listen(Self.channel)
                    connection = opened
                    listening.store(true, ordering: .relaxed)
                }
                let found = try connection?.notifications(waitingMilliseconds: 500) ?? []
                if !found.isEmpty {
                    heard.add(found.count, ordering: .relaxed)
                    feed.changed()
                }
            } catch {
                if connection != nil {
                    log(.warning, "change listener: \(error); listening again in a second")
                }
                connection = nil
                listening.store(false, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
