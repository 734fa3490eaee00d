import CoreStorage
import PorteroModel

/// Words that replace raw values on the pages: roles, the profile's sections, the devices
/// page, door commands, the page-not-found page.
extension WebText {
    /// A role as people call it, in this language.
    public func role(_ role: Role) -> String { self["role." + role.rawValue] }

    /// A role by its stored id (the id itself for one this version does not know).
    public func role(id: String) -> String { Role(rawValue: id).map { role($0) } ?? id }

    /// "UTC-6", "UTC+5:30", "UTC": the offset `zone` has at `instant`, shown after every time.
    public static func zoneLabel(_ zone: String, at instant: Timestamp) -> String {
        ZoneCache.rules(zone).offsetLabel(at: instant)
    }

    /// An audit action in words; one without its own words reads as its parts ("user.roles" →
    /// "User roles").
    public func auditAction(_ action: String) -> String {
        let key = "audit.do." + action
        let words = self[key]
        guard words == key else { return words }
        let spaced = action.replacingOccurrences(of: ".", with: " ").replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// "3 min" / "2 h" / "5 d": a duration in seconds, in the largest unit that fits.
    public func span(seconds: Int64) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3600: "\(seconds / 60) min"
        case ..<86_400: "\(seconds / 3600) h"
        default: "\(seconds / 86_400) d"
        }
    }

    /// "hace 3 min" / "3 min ago".
    public func ago(seconds: Int64) -> String {
        self["time.ago"].replacingOccurrences(of: "%1", with: span(seconds: seconds))
    }

    package static let commandStyles: [(command: String, key: String, style: String)] = [
        ("unlock_once", "action.unlockOnce", ""), ("free_access", "action.freeAccess", ""),
        ("lockdown", "action.lockdown", "danger"), ("release", "action.release", ""),
    ]

    /// The tables of the plain-words pages and the manual, as one.
    package static let moreTables = polishTable.merging(helpTable) { first, _ in first }

    package static let polishTable = polishWords.merging(auditActionWords) { first, _ in first }
        .merging(planWords) { first, _ in first }.merging(scheduleTable) { first, _ in first }

    static let polishWords: [String: (String, String)] = [
        "role.superadministrador": ("Superadministrador", "Super administrator"),
        "role.administrador": ("Administrador", "Administrator"),
        "role.gerente_sucursal": ("Gerente de sucursal", "Branch manager"),
        "role.recepcion": ("Recepción", "Front desk"),
        "role.cliente": ("Cliente", "Member"),
        "member.editProfile": ("Editar datos", "Edit details"),
        "member.access": ("Roles y sucursales", "Roles and branches"),
        "member.status": ("Estado de la cuenta", "Account status"),
        "member.isActive": ("Activo: puede entrar e iniciar sesión.", "Active: may enter and sign in."),
        "member.isInactive": (
            "Desactivado: no puede entrar ni iniciar sesión.", "Deactivated: may not enter or sign in."
        ),
        "member.confirmDeactivate": (
            "Sí, desactivar: dejará de entrar y de iniciar sesión",
            "Yes, deactivate: they will no longer enter or sign in"
        ),
        "member.confirmNeeded": (
            "Marca la casilla para confirmar la desactivación.", "Tick the box to confirm the deactivation."
        ),
        "gender.female": ("Mujer", "Female"),
        "gender.male": ("Hombre", "Male"),
        "gender.other": ("Otro", "Other"),
        "gender.unspecified": ("Sin especificar", "Not given"),
        "nav.profileOf": ("Mi perfil: %1", "My profile: %1"),
        "time.ago": ("hace %1", "%1 ago"),
        "devices.memberList": ("Lista de socios al día", "Member list up to date"),
        "devices.version": ("Versión", "Software version"),
        "devices.actions": ("Acciones", "Actions"),
        "doors.commandFor": ("Órdenes a las puertas de %1", "Door commands for %1"),
        "doors.commandHint": (
            "Elige la puerta y el motivo, luego la orden.", "Choose the door and the reason, then the command."
        ),
        "audit.anyAction": ("Cualquier acción", "Any action"),
        "audit.filter": ("Filtrar", "Filter"),
        "audit.pages": ("Páginas de la bitácora", "Audit trail pages"),
        "audit.newer": ("← Las más recientes", "← Newest"),
        "audit.older": ("Más antiguas →", "Older →"),
        "audit.page": ("Página %1", "Page %1"),
        "audit.none": ("Ninguna anotación con esos filtros.", "No entries match those filters."),
        "audit.address": ("Dirección IP", "Address"),
        "audit.changes": ("Detalle", "Details"),
        "notFound.title": ("No existe esa página", "There is no such page"),
        "notFound.body": (
            "La dirección %1 no lleva a ninguna página. Revísala o vuelve al inicio.",
            "The address %1 leads to no page. Check it or go back home."
        ),
        "notFound.home": ("Ir al inicio", "Go home"),
    ]
}
