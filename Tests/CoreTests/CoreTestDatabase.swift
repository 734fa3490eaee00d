import CoreStorage
import Foundation
import PostgreSQL
import Synchronization
import TestSupport

/// A PostgreSQL database of the core's schema for one test, copied from a template migrated once
/// per run; dropped when released. Nil unless `PORTERO_TEST_CORE_BACKEND=postgres`.
final class CoreTestDatabase: Sendable {
    static let backend = ProcessInfo.processInfo.environment["PORTERO_TEST_CORE_BACKEND"] ?? "sqlite"
    private static let template = Mutex(false)
    static let templateName = "portero_core_template"

    let name: String
    let url: String

    /// A database when the tests run over PostgreSQL (or `always`, for tests of PostgreSQL itself).
    static func make(always: Bool = false) throws -> CoreTestDatabase? {
        guard backend == "postgres" || always else { return nil }
        guard let maintenance = PostgresTestServer.url else {
            throw PGError(message: "PORTERO_TEST_POSTGRES is not set", context: "the postgres backend for tests")
        }
        try template.withLock { ready in
            guard !ready else { return }
            let admin = try PGConnection(url: maintenance)
            try admin.execute("DROP DATABASE IF EXISTS \(templateName) WITH (FORCE)")
            try admin.execute("CREATE DATABASE \(templateName)")
            guard let url = PostgresTestServer.url(database: templateName) else { return }
            try CoreDatabaseLocation.postgres(url: url).migrate()
            ready = true
        }
        let name = "core_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PGConnection(url: maintenance).execute("CREATE DATABASE \(name) TEMPLATE \(templateName)")
        guard let url = PostgresTestServer.url(database: name) else { return nil }
        return CoreTestDatabase(name: name, url: url)
    }

    /// An empty database (no schema) beside this one, dropped with it: a URL to migrate into.
    func empty(_ suffix: String) throws -> String? {
        guard let maintenance = PostgresTestServer.url else { return nil }
        let name = "\(self.name)_\(suffix)"
        try PGConnection(url: maintenance).execute("CREATE DATABASE \(name)")
        extra.withLock { $0.append(name) }
        return PostgresTestServer.url(database: name)
    }

    private let extra = Mutex<[String]>([])

    private init(name: String, url: String) {
        self.name = name
        self.url = url
    }

    deinit {
        if let maintenance = PostgresTestServer.url, let admin = try? PGConnection(url: maintenance) {
            for database in [name] + extra.withLock({ $0 }) {
                try? admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
            }
        }
    }
}
