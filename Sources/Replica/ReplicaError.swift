import PorteroModel

/// A replica that cannot be used as asked.
public enum ReplicaError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file was made for another branch; using it would admit the wrong members.
    case branchMismatch(path: String, expected: BranchID, found: String)
    /// A change from the feed that cannot be stored as it stands.
    case invalidChange(String)
    /// Opened read-only, the file still lacks schema steps this program needs.
    case needsMigration(path: String, pending: [Int])
    /// A stored value is not one this program writes (damage, or a hand edit).
    case invalidStoredValue(table: String, column: String, value: String)

    public var description: String {
        switch self {
        case let .branchMismatch(path, expected, found):
            return "\(path) is the replica of branch \(found), not of branch \(expected)"
        case let .invalidChange(reason):
            return "invalid replica change: \(reason)"
        case let .needsMigration(path, pending):
            return "\(path) needs schema steps \(pending) before this program can read it; open it read-write once"
        case let .invalidStoredValue(table, column, value):
            return "\(table).\(column) holds '\(value)', which this program never writes; the replica is damaged"
        }
    }
}
