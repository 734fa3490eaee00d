/// Gender as recorded on the profile (seed 003 "Género").
public enum Gender: String, CaseIterable, Sendable, Codable {
    case female
    case male
    case other
    case unspecified
}

/// One person: staff and members alike (seed 003 "Usuarios").
public struct User: Hashable, Sendable, Codable {
    public var id: UserID
    // Login data.
    /// Unique; login with it or with `email`.
    public var username: String
    /// Unique; login with it or with `username`.
    public var email: String
    // Profile.
    /// Unique member number; the BackOffice suggests the highest one plus one.
    public var clave: Int64
    public var name: String
    public var paternalSurname: String
    public var maternalSurname: String
    public var gender: Gender
    public var agreementID: AgreementID?
    public var birthDate: LocalDay?
    /// The day the user was registered.
    public var joinDate: LocalDay
    public var phone: String
    /// A second email, not unique.
    public var alternateEmail: String
    /// Only active users pass a door (and count toward the subscription fee).
    public var active: Bool
    /// Users under follow-up lead the home page.
    public var followUp: Bool
    public var notes: String
    // Access to the system.
    public var roles: RoleSet
    /// Branches whose data the user may see, and where a staff role lets them through the door.
    public var branches: Set<BranchID>

    public init(
        id: UserID, username: String, email: String, clave: Int64, name: String, paternalSurname: String,
        maternalSurname: String = "", gender: Gender = .unspecified, agreementID: AgreementID? = nil,
        birthDate: LocalDay? = nil, joinDate: LocalDay, phone: String = "", alternateEmail: String = "",
        active: Bool = true, followUp: Bool = false, notes: String = "", roles: RoleSet = [],
        branches: Set<BranchID> = []
    ) {
        self.id = id
        self.username = username
        self.email = email
        self.clave = clave
        self.name = name
        self.paternalSurname = paternalSurname
        self.maternalSurname = maternalSurname
        self.gender = gender
        self.agreementID = agreementID
        self.birthDate = birthDate
        self.joinDate = joinDate
        self.phone = phone
        self.alternateEmail = alternateEmail
        self.active = active
        self.followUp = followUp
        self.notes = notes
        self.roles = roles
        self.branches = branches
    }

    /// "Name Paternal Maternal", skipping empty parts.
    public var fullName: String {
        [name, paternalSurname, maternalSurname].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// True when one of the user's staff roles applies at `branch`. SuperAdministrador spans every
    /// branch; the other staff roles need the branch granted.
    public func isStaff(at branch: BranchID) -> Bool {
        AccessUser.staffAt(roles: roles, grantedBranches: branches, branch: branch)
    }
}

/// Seed 003's password rule: upper case, lower case and digits, at least `minimumLength`
/// characters (6 in the seed). Deployments may raise the length.
public struct PasswordPolicy: Sendable, Equatable, Codable {
    public var minimumLength: Int
    /// The character classes a password needs: "upper", "lower", "digit", "symbol".
    public var classes: Set<String> = ["upper", "lower", "digit"]

    public init(minimumLength: Int = 6) { self.minimumLength = max(6, minimumLength) }

    /// What `password` lacks; empty when it satisfies the rule.
    public func problems(with password: String) -> [String] {
        var problems: [String] = []
        if password.count < minimumLength { problems.append("at least \(minimumLength) characters") }
        if classes.contains("upper"), !password.contains(where: \.isUppercase) {
            problems.append("an upper-case letter")
        }
        if classes.contains("lower"), !password.contains(where: \.isLowercase) {
            problems.append("a lower-case letter")
        }
        if classes.contains("digit"), !password.contains(where: { $0.isASCII && $0.isNumber }) {
            problems.append("a digit")
        }
        if classes.contains("symbol"), !password.contains(where: { !$0.isLetter && !$0.isNumber }) {
            problems.append("a symbol")
        }
        return problems
    }
}
