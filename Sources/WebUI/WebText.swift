import HTTP
import CoreStorage
import BackOffice
import Foundation
import PorteroModel

/// The web UI's languages: the user's setting, else the browser's Accept-Language, else Spanish.
public enum WebLanguage: String, Sendable, CaseIterable {
    case es, en

    /// The first supported language in an Accept-Language header, by quality.
    public static func preferred(acceptLanguage header: String?) -> WebLanguage? {
        guard let header else { return nil }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (String(tag.prefix { $0 != "-" }), quality)
        }
        for (tag, quality) in ranked.sorted(by: { $0.1 > $1.1 }) where quality > 0 {
            if let language = WebLanguage(rawValue: tag) { return language }
        }
        return nil
    }

    package var locale: Locale { Locale(identifier: self == .es ? "es_MX" : "en_US") }
}

/// The words of the web UI in one language, and the formats of its dates, numbers and money.
public struct WebText: Sendable {
    public let language: WebLanguage

    public init(_ language: WebLanguage) { self.language = language }

    /// The text for `key` (the key itself when missing, so a gap shows instead of breaking a page).
    public subscript(_ key: String) -> String {
        guard let pair = Self.every[key] else { return key }
        return language == .es ? pair.0 : pair.1
    }

    /// Every table of strings in one, the first table's entry winning a key two tables share.
    static let every: [String: (String, String)] = [
        table, doorTable, paymentTable, posTable, promotionTable, invoiceTable, webhookTable, supportTable, oidcTable,
        configurationTable, moreTables, occupancyTable, reportTable, photoTable, portalTable,
        passTable, dayPassTable,
    ].reduce(into: [:]) { all, next in all.merge(next) { first, _ in first } }

    /// A refusal or grant in words, as a receptionist would say it.
    public func reason(_ code: String) -> String { self["reason." + code] }

    package static let monthsES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
    package static let monthsEN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// 23 nov 2026 / Nov 23, 2026.
    public func day(_ day: LocalDay) -> String {
        let (year, month, date) = day.components
        return language == .es
            ? "\(date) \(Self.monthsES[month - 1]) \(year)" : "\(Self.monthsEN[month - 1]) \(date), \(year)"
    }

    /// "nov 2026" / "Nov 2026" for a `YYYY-MM` label.
    public func month(_ label: String) -> String {
        let parts = label.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else {
            return label
        }
        return "\((language == .es ? Self.monthsES : Self.monthsEN)[month - 1]) \(year)"
    }

    /// The time of day at `instant` in `zone`, with the zone's offset: 19:05 UTC-6 / 7:05 PM UTC-6.
    public func time(_ instant: Timestamp, zone: String) -> String {
        let local = ZoneCache.rules(zone).localTime(at: instant)
        let minutes = local.minuteOfDay
        let (hour, minute) = (minutes / 60, minutes % 60)
        let mm = minute < 10 ? "0\(minute)" : "\(minute)"
        let label = Self.zoneLabel(zone, at: instant)
        if language == .es { return "\(hour < 10 ? "0" : "")\(hour):\(mm) \(label)" }
        return "\(hour % 12 == 0 ? 12 : hour % 12):\(mm) \(hour < 12 ? "AM" : "PM") \(label)"
    }

    /// Date and time at `instant` in `zone`.
    public func dateTime(_ instant: Timestamp, zone: String) -> String {
        "\(day(ZoneCache.rules(zone).localDay(at: instant))) \(time(instant, zone: zone))"
    }

    /// 1,234 / 1,234 (es-MX groups with commas too).
    public func number(_ value: Int) -> String {
        value.formatted(.number.locale(language.locale))
    }

    /// $599.00 in the locale's style with the currency's code when it is not the peso.
    public func money(minor: Int64, currency: String) -> String {
        let amount = Decimal(minor) / 100
        return amount.formatted(.currency(code: currency).locale(language.locale))
    }

    package static let table: [String: (String, String)] = [
        "app": ("Portero", "Portero"),
        "nav.home": ("Inicio", "Home"),
        "nav.live": ("En vivo", "Live"),
        "nav.members": ("Socios", "Members"),
        "nav.dashboard": ("Tablero", "Dashboard"),
        "nav.customers": ("Clientes y prospectos", "Customers and leads"),
        "nav.plans": ("Planes", "Plans"),
        "nav.branches": ("Sucursales", "Branches"),
        "nav.devices": ("Dispositivos", "Devices"),
        "nav.agreements": ("Convenios", "Agreements"),
        "nav.audit": ("Bitácora", "Audit trail"),
        "nav.notifications": ("Notificaciones", "Notifications"),
        "nav.settings": ("Mi perfil", "My profile"),
        "nav.logout": ("Cerrar sesión", "Sign out"),
        "nav.skip": ("Ir al contenido", "Skip to content"),
        "login.title": ("Iniciar sesión", "Sign in"),
        "login.login": ("Usuario o correo", "Username or email"),
        "login.password": ("Contraseña", "Password"),
        "login.totp": (
            "Código de verificación (6 dígitos) o código de recuperación",
            "Verification code (6 digits) or recovery code"
        ),
        "login.submit": ("Entrar", "Sign in"),
        "login.failed": ("Usuario o contraseña incorrectos.", "Wrong username or password."),
        "login.totpNeeded": (
            "Escribe el código de tu aplicación de autenticación.", "Enter the code from your authenticator app."
        ),
        "login.locked": ("Demasiados intentos; espera unos minutos.", "Too many attempts; wait a few minutes."),
        "login.expired": ("Tu sesión terminó; vuelve a entrar.", "Your session ended; sign in again."),
        "home.title": ("Inicio", "Home"),
        "home.followUp": ("Usuarios en seguimiento", "Users to follow up"),
        "home.noFollowUp": ("Nadie en seguimiento.", "Nobody to follow up."),
        "home.today": ("Asistencia de hoy", "Today's attendance"),
        "attendance.none": ("Sin registros.", "No entries."),
        "attendance.time": ("Hora", "Time"),
        "attendance.member": ("Socio", "Member"),
        "attendance.branch": ("Sucursal", "Branch"),
        "attendance.result": ("Resultado", "Result"),
        "attendance.card": ("Tarjeta", "Card"),
        "attendance.door": ("Puerta", "Door"),
        "live.title": ("Asistencia en vivo", "Live attendance"),
        "live.hint": (
            "Las entradas aparecen aquí al momento; los rechazos dicen por qué.",
            "Entries appear here as they happen; refusals say why."
        ),
        "live.reconnecting": ("Reconectando…", "Reconnecting…"),
        "live.connected": ("En vivo", "Live"),
        "live.plan": ("Plan", "Plan"),
        "live.until": ("Vence", "Ends"),
        "members.title": ("Socios", "Members"),
        "members.search": ("Buscar por nombre, clave, tarjeta o correo", "Search by name, clave, card or email"),
        "members.go": ("Buscar", "Search"),
        "members.none": ("Nadie coincide.", "Nobody matches."),
        "members.new": ("Nuevo socio", "New member"),
        "member.profile": ("Perfil", "Profile"),
        "member.cards": ("Tarjetas", "Cards"),
        "member.subscriptions": ("Suscripciones", "Subscriptions"),
        "member.history": ("Historial de asistencia", "Attendance history"),
        "member.checkin": ("Registrar entrada manual", "Manual check-in"),
        "member.checkinReason": ("Motivo", "Reason"),
        "member.checkinDone": ("Entrada registrada.", "Check-in recorded."),
        "member.enroll": ("Inscribir o vender plan", "Enrol on a plan"),
        "member.renew": ("Renovar", "Renew"),
        "member.freeze": ("Congelar", "Freeze"),
        "member.unfreeze": ("Descongelar", "Unfreeze"),
        "member.from": ("Desde", "From"),
        "member.to": ("Hasta", "To"),
        "member.addCard": ("Agregar tarjeta", "Add card"),
        "member.cardNumber": ("Número de tarjeta", "Card number"),
        "member.pin": ("PIN", "PIN"),
        "member.pinSet": ("PIN asignado", "PIN set"),
        "member.duressPin": ("PIN de coacción", "Duress PIN"),
        "member.duressPinReset": ("Nuevo PIN de coacción", "New duress PIN"),
        "member.duressHint": (
            "Para usar bajo amenaza: abre como el PIN y avisa en silencio a los gerentes; "
                + "4 a 12 dígitos, distinto del PIN.",
            "For use under threat: opens like the PIN and silently alerts the managers; 4 to 12 digits, not the PIN."
        ),
        "member.pinNone": ("Sin PIN", "No PIN"),
        "member.pinReset": ("Asignar PIN", "Set PIN"),
        "member.noSubscriptions": ("Sin suscripciones.", "No subscriptions."),
        "field.clave": ("Clave", "Clave"),
        "field.name": ("Nombre", "Name"),
        "field.paternalSurname": ("Apellido paterno", "Paternal surname"),
        "field.maternalSurname": ("Apellido materno", "Maternal surname"),
        "field.username": ("Usuario", "Username"),
        "field.email": ("Correo", "Email"),
        "field.phone": ("Teléfono", "Phone"),
        "field.gender": ("Género", "Gender"),
        "field.birthDate": ("Fecha de nacimiento", "Birth date"),
        "field.joinDate": ("Fecha de alta", "Join date"),
        "field.roles": ("Roles", "Roles"),
        "field.branches": ("Sucursales", "Branches"),
        "field.branch": ("Sucursal", "Branch"),
        "field.notes": ("Notas", "Notes"),
        "field.followUp": ("En seguimiento", "Follow up"),
        "field.active": ("Activo", "Active"),
        "field.plan": ("Plan", "Plan"),
        "field.price": ("Precio", "Price"),
        "field.status": ("Estado", "Status"),
        "field.start": ("Inicio", "Start"),
        "field.end": ("Fin", "End"),
        "field.city": ("Ciudad", "City"),
        "field.timeZone": ("Zona horaria", "Time zone"),
        "field.language": ("Idioma", "Language"),
        "field.duration": ("Duración", "Duration"),
        "field.months": ("Meses", "Months"),
        "field.windows": ("Horario permitido (p. ej. mon-fri 10:00-16:00)", "Allowed hours (e.g. mon-fri 10:00-16:00)"),
        "field.reason": ("Motivo", "Reason"),
        "field.promotion": ("Promoción", "Promotion"),
        "field.reference": ("Referencia de pago", "Payment reference"),
        "field.currentPassword": ("Contraseña actual", "Current password"),
        "field.newPassword": ("Contraseña nueva", "New password"),
        "field.device": ("Dispositivo", "Device"),
        "field.lastSeen": ("Última señal", "Last heard from"),
        "field.replicaAge": ("Lista de socios al día", "Member list updated"),
        "field.outbox": ("Eventos por subir", "Events waiting to upload"),
        "field.code": ("Código de alta", "Enrolment code"),
        "field.visits": ("Visitas al mes", "Visits a month"),
        "field.visitsTotal": ("Visitas en total (paquete)", "Visits in total (pack)"),
        "action.save": ("Guardar", "Save"),
        "action.edit": ("Editar", "Edit"),
        "action.create": ("Crear", "Create"),
        "action.filter": ("Filtrar", "Filter"),
        "action.export": ("Exportar CSV", "Export CSV"),
        "action.exportXLSX": ("Exportar Excel", "Export Excel"),
        "action.revoke": ("Revocar", "Revoke"),
        "action.lost": ("Extraviada", "Lost"),
        "action.reactivate": ("Reactivar", "Reactivate"),
        "action.cancel": ("Cancelar", "Cancel"),
        "action.deactivate": ("Dar de baja", "Deactivate"),
        "action.activate": ("Reactivar", "Activate"),
        "action.markRead": ("Marcar leída", "Mark read"),
        "action.markAll": ("Marcar todas como leídas", "Mark all read"),
        "action.newCode": ("Nuevo código", "New code"),
        "action.unlockOnce": ("Abrir una vez", "Unlock once"),
        "action.lockdown": ("Bloquear (emergencia)", "Lock down"),
        "action.freeAccess": ("Paso libre", "Free access"),
        "action.release": ("Volver a lo normal", "Back to normal"),
        "doors.title": ("Puertas", "Doors"),
        "nav.doors": ("Puertas", "Doors"),
        "doors.all": ("Todas las puertas", "Every door"),
        "doors.door": ("Puerta", "Door"),
        "doors.mode": ("Modo", "Mode"),
        "doors.until": ("Hasta", "Until"),
        "doors.by": ("Ordenado por", "Set by"),
        "doors.minutes": ("Minutos (vacío: hasta liberar)", "Minutes (empty: until released)"),
        "doors.sent": (
            "Orden enviada; la sucursal la recibe en segundos si está conectada.",
            "Command sent; a connected branch has it within seconds."
        ),
        "mode.normal": ("Normal", "Normal"),
        "mode.free_access": ("Paso libre", "Free access"),
        "mode.lockdown": ("Bloqueada", "Locked down"),
        "dashboard.title": ("Tablero", "Dashboard"),
        "dashboard.totalUsers": ("Usuarios", "Users"),
        "dashboard.active": ("Clientes activos", "Active customers"),
        "dashboard.inactive": ("Clientes inactivos", "Inactive customers"),
        "dashboard.plansSold": ("Planes vendidos", "Plans sold"),
        "dashboard.sales": ("Ventas", "Sales"),
        "dashboard.averageSale": ("Venta promedio", "Average sale"),
        "dashboard.perCity": ("Clientes por ciudad", "Customers per city"),
        "dashboard.perPlan": ("Ventas por plan", "Sales per plan"),
        "dashboard.newPerMonth": ("Clientes nuevos por mes", "New customers per month"),
        "dashboard.perDay": ("Asistencia por día", "Attendance per day"),
        "notifications.title": ("Notificaciones", "Notifications"),
        "notifications.all": ("Todas", "All"),
        "notifications.unread": ("No leídas", "Unread"),
        "notifications.urgent": ("Urgentes", "Urgent"),
        "notifications.none": ("No hay notificaciones.", "No notifications."),
        "notifications.new": ("Enviar notificación", "Send a notification"),
        "notifications.titleField": ("Título", "Title"),
        "notifications.body": ("Mensaje", "Message"),
        "notifications.level": ("Nivel", "Level"),
        "devices.title": ("Dispositivos", "Devices"),
        "devices.add": ("Registrar dispositivo", "Register a device"),
        "devices.codeShown": ("Código de alta (se muestra una sola vez): ", "Enrolment code (shown once): "),
        "devices.never": ("nunca", "never"),
        "devices.commands": ("Órdenes a las puertas", "Door commands"),
        "audit.title": ("Bitácora", "Audit trail"),
        "audit.intact": (
            "Cadena íntegra: ninguna fila editada, borrada ni insertada.",
            "Chain intact: no row edited, removed or inserted."
        ),
        "audit.broken": ("¡Cadena rota!", "Chain broken!"),
        "audit.actor": ("Quién", "Who"),
        "audit.action": ("Acción", "Action"),
        "audit.target": ("Sobre", "Target"),
        "customers.title": ("Clientes y prospectos", "Customers and leads"),
        "customers.customers": ("Clientes", "Customers"),
        "customers.leads": ("Prospectos", "Leads"),
        "customers.paidUntil": ("Pagado hasta", "Paid until"),
        "plans.title": ("Planes", "Plans"),
        "plans.new": ("Nuevo plan", "New plan"),
        "plans.allBranches": ("Todas", "All"),
        "plans.applyToExisting": ("Aplicar también a las suscripciones vigentes", "Apply to running subscriptions too"),
        "branches.title": ("Sucursales", "Branches"),
        "branches.new": ("Nueva sucursal", "New branch"),
        "agreements.title": ("Convenios", "Agreements"),
        "agreements.new": ("Nuevo convenio", "New agreement"),
        "settings.title": ("Mi perfil", "My profile"),
        "settings.password": ("Cambiar contraseña", "Change password"),
        "settings.passwordChanged": (
            "Contraseña cambiada; tus otras sesiones terminaron.", "Password changed; your other sessions ended."
        ),
        "settings.saved": ("Guardado.", "Saved."),
        "settings.totp": ("Verificación en dos pasos", "Two-step verification"),
        "settings.totpStart": ("Activar", "Turn on"),
        "settings.totpScan": (
            "Escanea el código con tu aplicación y escribe el código de 6 dígitos.",
            "Scan the code with your app and enter the 6-digit code."
        ),
        "settings.totpOn": ("Activada. Guarda estos códigos de recuperación:", "Turned on. Keep these recovery codes:"),
        "settings.totpConfirm": ("Confirmar", "Confirm"),
        "error.title": ("Algo salió mal", "Something went wrong"),
        "error.forbidden": ("No tienes permiso para ver esto.", "You are not allowed to see this."),
        "error.notFound": ("No existe.", "Not found."),
        "error.fix": ("Revisa los campos marcados.", "Check the marked fields."),
        "yes": ("Sí", "Yes"),
        "no": ("No", "No"),
        "status.active": ("activa", "active"),
        "status.lost": ("extraviada", "lost"),
        "status.revoked": ("revocada", "revoked"),
        "standing.current": ("vigente", "current"),
        "standing.grace": ("en días de gracia", "in grace days"),
        "standing.expired": ("vencida", "expired"),
        "standing.frozen": ("congelada", "frozen"),
        "standing.notStarted": ("por iniciar", "not started"),
        "standing.cancelled": ("cancelada", "cancelled"),
        "reason.granted": ("Acceso permitido", "Access granted"),
        "reason.granted.staff": ("Acceso de personal", "Staff access"),
        "reason.granted.grace": (
            "Permitido en días de gracia: pedir renovación", "Granted in grace days: ask to renew"
        ),
        "reason.granted.free_access": ("Acceso libre", "Free access"),
        "reason.granted.duress": ("Acceso con código de coacción", "Granted under duress code"),
        "reason.granted.exit": ("Salida", "Exit"),
        "reason.granted.manual": ("Entrada manual en recepción", "Manual check-in at the desk"),
        "reason.door.lockdown": ("Puerta bloqueada (emergencia)", "Door locked down"),
        "reason.door.closed": ("Fuera del horario de la puerta", "Outside the door's hours"),
        "reason.door.wrong_direction": ("La puerta no se cruza en ese sentido", "The door is not passed this way"),
        "reason.door.unregistered": ("Puerta sin definir en la central", "Door not defined at headquarters"),
        "reason.branch.closed": ("Sucursal cerrada hoy (calendario)", "Branch closed today (calendar)"),
        "reason.branch.full": ("Sucursal llena (cupo máximo)", "Branch full (capacity reached)"),
        "reason.credential.unknown": ("Tarjeta no registrada", "Card not registered"),
        "reason.credential.lost": ("Tarjeta reportada como extraviada", "Card reported lost"),
        "reason.credential.revoked": ("Tarjeta o teléfono revocado", "Card or phone revoked"),
        "reason.user.inactive": ("Usuario dado de baja", "User deactivated"),
        "reason.pass.invalid": ("Pase del teléfono no válido", "Phone pass not valid"),
        "reason.pass.expired": (
            "Pase del teléfono vencido: una captura o un código reenviado",
            "Phone pass expired: a screenshot or a forwarded code"
        ),
        "reason.pass.used": ("Pase del teléfono ya usado", "Phone pass already used"),
        "reason.plan.branch_not_covered": ("Su plan no incluye esta sucursal", "Their plan does not cover this branch"),
        "reason.subscription.none": ("Sin plan contratado", "No plan bought"),
        "reason.subscription.not_started": ("Su plan aún no comienza", "Their plan has not started"),
        "reason.subscription.expired": ("Plan vencido", "Plan expired"),
        "reason.subscription.frozen": ("Plan congelado", "Plan frozen"),
        "reason.subscription.cancelled": ("Plan cancelado", "Plan cancelled"),
        "reason.plan.outside_window": ("Fuera del horario de su plan", "Outside their plan's hours"),
        "reason.plan.visit_limit": ("Ya usó todas las visitas de su plan", "All visits of their plan used"),
        "reason.payment.overdue": ("Pago vencido", "Payment overdue"),
        "reason.antipassback.already_inside": ("Ya está dentro (antipassback)", "Already inside (anti-passback)"),
        "reason.antipassback.not_inside": ("No registró entrada", "No entry on record"),
        "reason.antipassback.too_soon": ("Demasiado pronto para volver a entrar", "Too soon to enter again"),
        "reason.pin.required": ("Falta el PIN", "PIN required"),
        "reason.pin.wrong": ("PIN incorrecto", "Wrong PIN"),
        "reason.pin.locked_out": ("PIN bloqueado por intentos", "PIN locked out"),
        "reason.keypad.locked": ("Teclado bloqueado por intentos", "Keypad locked after wrong PINs"),
    ]
}
