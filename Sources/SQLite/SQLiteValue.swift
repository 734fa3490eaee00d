import CSQLite

/// One SQLite value, in SQLite's five storage classes.
public enum SQLiteValue: Equatable, Hashable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The storage class name as SQLite's `typeof()` spells it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .integer: "integer"
        case .real: "real"
        case .text: "text"
        case .blob: "blob"
        }
    }
}

/// A Swift value that can be bound to a statement parameter.
public protocol SQLiteBindable {
    var sqliteValue: SQLiteValue { get }
}

/// A Swift value that can be read from a result column.
public protocol SQLiteDecodable {
    /// Reads the value from `value`, or returns nil when the storage class does not fit.
    init?(sqliteValue value: SQLiteValue)
}

extension SQLiteValue: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { self }
    public init?(sqliteValue value: SQLiteValue) { self = value }
}

extension Int64: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .integer(self) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .integer(v) = value else { return nil }
        self = v
    }
}

extension Int: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .integer(v) = value else { return nil }
        self = Int(v)
    }
}

extension Int32: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .integer(v) = value, let narrowed = Int32(exactly: v) else { return nil }
        self = narrowed
    }
}

extension UInt64: SQLiteBindable, SQLiteDecodable {
    /// Stored as the same 64 bits in a signed INTEGER, so every value round-trips.
    public var sqliteValue: SQLiteValue { .integer(Int64(bitPattern: self)) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .integer(v) = value else { return nil }
        self = UInt64(bitPattern: v)
    }
}

extension Bool: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .integer(v) = value else { return nil }
        self = v != 0
    }
}

extension Double: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .real(self) }
    public init?(sqliteValue value: SQLiteValue) {
        switch value {
        case let .real(v): self = v
        case let .integer(v): self = Double(v)
        default: return nil
        }
    }
}

extension String: SQLiteBindable, SQLiteDecodable {
    public var sqliteValue: SQLiteValue { .text(self) }
    public init?(sqliteValue value: SQLiteValue) {
        guard case let .text(v) = value else { return nil }
        self = v
    }
}

extension Array: SQLiteBindable where Element == UInt8 {
    public var sqliteValue: SQLiteValue { .blob(self) }
}

extension Array: SQLiteDecodable where Element == UInt8 {
    public init?(sqliteValue value: SQLiteValue) {
        switch value {
        case let .blob(v): self = v
        case .null: return nil
        default: return nil
        }
    }
}

extension Optional: SQLiteBindable where Wrapped: SQLiteBindable {
    public var sqliteValue: SQLiteValue {
        switch self {
        case .none: .null
        case let .some(wrapped): wrapped.sqliteValue
        }
    }
}

extension Optional: SQLiteDecodable where Wrapped: SQLiteDecodable {
    public init?(sqliteValue value: SQLiteValue) {
        if case .null = value {
            self = .none
            return
        }
        guard let wrapped = Wrapped(sqliteValue: value) else { return nil }
        self = .some(wrapped)
    }
}
