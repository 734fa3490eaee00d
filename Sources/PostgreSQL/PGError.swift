/// A failure from PostgreSQL or from libpq, with the server's SQLSTATE when it sent one.
public struct PGError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    /// The five-character SQLSTATE (`23505` unique violation, `08006` connection failure), if any.
    public let sqlState: String?
    /// What was being done (`connecting to postgres://…`, or the start of the statement).
    public let context: String
    /// libpq had no working connection when the error came (it could not connect, or lost it).
    public let lostConnection: Bool

    public init(message: String, sqlState: String? = nil, context: String, lostConnection: Bool = false) {
        self.message = message
        self.sqlState = sqlState
        self.context = context
        self.lostConnection = lostConnection
    }

    public var description: String {
        "\(context): \(message)\(sqlState.map { " (SQLSTATE \($0))" } ?? "")"
    }

    /// The connection is gone (or never came): retry on a new one.
    public var isConnectionLost: Bool {
        lostConnection || sqlState.map { $0.hasPrefix("08") || $0 == "57P01" } == true
    }
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// A serialization failure or deadlock: the transaction may be run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
}
