/// A branch (sucursal) of the club.
public struct Branch: Hashable, Sendable, Codable {
    public var id: BranchID
    public var name: String
    public var city: String
    /// IANA time zone of the branch; plan windows and visit periods are counted in it.
    public var timeZone: String
    public var active: Bool

    public init(id: BranchID, name: String, city: String, timeZone: String, active: Bool = true) {
        self.id = id
        self.name = name
        self.city = city
        self.timeZone = timeZone
        self.active = active
    }
}

/// An agreement (convenio): a group of users such as a company or a school.
public struct Agreement: Hashable, Sendable, Codable {
    public var id: AgreementID
    public var name: String
    public var notes: String

    public init(id: AgreementID, name: String, notes: String = "") {
        self.id = id
        self.name = name
        self.notes = notes
    }
}
