/// A role a user holds (seed 003). A user may hold several; every privilege they give is
/// scoped to the branches the user is granted.
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case superAdministrator = "superadministrador"
    case administrator = "administrador"
    case branchManager = "gerente_sucursal"
    case reception = "recepcion"
    case client = "cliente"

    /// Staff roles run the club; `cliente` is a member.
    public var isStaff: Bool { self != .client }

    /// Bit used in `RoleSet`; stable, stored in the replica.
    @usableFromInline var bit: UInt8 {
        switch self {
        case .superAdministrator: 1 << 0
        case .administrator: 1 << 1
        case .branchManager: 1 << 2
        case .reception: 1 << 3
        case .client: 1 << 4
        }
    }

    private var rank: Int { Role.allCases.firstIndex(of: self)! }  // safe: every case is in allCases
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }

    /// The name the seed manuals use.
    public var displayName: String {
        switch self {
        case .superAdministrator: "SuperAdministrador"
        case .administrator: "Administrador"
        case .branchManager: "Gerente de sucursal"
        case .reception: "Recepción"
        case .client: "Cliente"
        }
    }
}

/// The roles one user holds, as a bit set (stored as an integer in the replica).
public struct RoleSet: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue & 0x1F }

    /// Inlinable, so that it is specialised where it is called (a generic call across modules
    /// looks the sequence's type up at run time, on every request that checks a session).
    @inlinable public init(_ roles: some Sequence<Role>) {
        var bits: UInt8 = 0
        for role in roles { bits |= role.bit }
        self.init(rawValue: bits)
    }

    public init(_ role: Role) { self.init(rawValue: role.bit) }

    public func contains(_ role: Role) -> Bool { rawValue & role.bit != 0 }
    public var roles: [Role] { Role.allCases.filter { contains($0) } }
    public var hasStaffRole: Bool { roles.contains { $0.isStaff } }
}

/// A function of the BackOffice that a role may use (the rows of seed 003's matrix).
public enum Privilege: String, CaseIterable, Sendable, Codable {
    case myProfile = "my_profile"
    case home
    case dashboard
    case configuration
    case branches
    case promotions
    case users
    case subscriptions
    case attendance
    case posCategories = "pos_categories"
    case posProducts = "pos_products"
    case posSales = "pos_sales"
    case cashCut = "cash_cut"
    case reports
    case subscriptionInvoices = "subscription_invoices"
    case userManual = "user_manual"
    /// Remote lockdown, free access and unlock of a branch's doors. Not a row of seed 003's
    /// matrix: a security function of its own, Gerente de sucursal and above.
    case doorCommands = "door_commands"
    /// Acting for a user, with their consent, in an assisted session (seed 001). Not a row of
    /// seed 003's matrix: SuperAdministrador only.
    case support
}

/// Which roles have which privilege: seed 003's matrix is the default policy; deny by default.
public struct PrivilegeMatrix: Sendable, Equatable {
    public var grants: [Privilege: Set<Role>]

    public init(grants: [Privilege: Set<Role>]) { self.grants = grants }

    /// Seed 003's table. The manual marks columns left to right (SuperAdministrador, Administrador,
    /// Gerente de sucursal, Recepción, Cliente); a row with k marks grants the first k roles.
    public static let seed003: PrivilegeMatrix = {
        let order: [Role] = [.superAdministrator, .administrator, .branchManager, .reception, .client]
        let marks: [(Privilege, Int)] = [
            (.myProfile, 5), (.home, 4), (.dashboard, 4), (.configuration, 2), (.branches, 2),
            (.promotions, 2), (.users, 4), (.subscriptions, 4), (.attendance, 4), (.posCategories, 2),
            (.posProducts, 3), (.posSales, 4), (.cashCut, 3), (.reports, 3), (.subscriptionInvoices, 4),
            (.userManual, 4), (.doorCommands, 3), (.support, 1),
        ]
        return PrivilegeMatrix(grants: Dictionary(uniqueKeysWithValues: marks.map { ($0.0, Set(order.prefix($0.1))) }))
    }()

    /// True when any of `roles` carries `privilege`.
    public func allows(_ privilege: Privilege, for roles: RoleSet) -> Bool {
        guard let allowed = grants[privilege] else { return false }
        return allowed.contains { roles.contains($0) }
    }
}
