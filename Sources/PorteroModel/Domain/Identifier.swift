/// A typed row identifier: `Identifier<User>` cannot be passed where `Identifier<Plan>` is wanted.
public struct Identifier<Entity>: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { self.rawValue = value }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public typealias UserID = Identifier<User>
public typealias BranchID = Identifier<Branch>
public typealias AgreementID = Identifier<Agreement>
public typealias PlanID = Identifier<Plan>
public typealias SubscriptionID = Identifier<Subscription>
public typealias CredentialID = Identifier<Credential>
public typealias DoorID = Identifier<Door>
