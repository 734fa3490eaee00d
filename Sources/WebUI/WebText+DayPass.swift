/// The words of day and guest passes at the desk: the sale form, the pass ticket and its email
/// (Spanish, English).
extension WebText {
    package static let dayPassTable: [String: (String, String)] = [
        "daypass.nav": ("Pase de día", "Day pass"),
        "daypass.new": ("Vender un pase de día o de invitado", "Sell a day or guest pass"),
        "daypass.hint": (
            "Un pase es una inscripción a un plan con entradas contadas: sus fechas, sus entradas y sus sucursales "
                + "son las del plan. La puerta lee su código impreso o enviado, sin conexión.",
            "A pass is a subscription to a plan with counted entries: its dates, entries and branches are the "
                + "plan's. The door reads its printed or emailed code, offline."
        ),
        "daypass.plan": ("Plan de pase", "Pass plan"),
        "daypass.noPlans": (
            "No hay planes de pase: crea uno con un total de visitas en Planes.",
            "There are no pass plans: make one with a visits total under Plans."
        ),
        "daypass.entries": ("entradas", "entries"),
        "daypass.branch": ("Sucursal de venta", "Sold at branch"),
        "daypass.start": ("Primer día", "First day"),
        "daypass.holder": ("Para quién", "For whom"),
        "daypass.forMember": ("Un socio", "A member"),
        "daypass.forGuest": ("Un invitado nuevo", "A new guest"),
        "daypass.member": ("Número de usuario del socio", "Member's user number"),
        "daypass.memberIs": ("Socio", "Member"),
        "daypass.guestName": ("Nombre del invitado", "Guest's name"),
        "daypass.guestEmail": ("Correo del invitado (opcional)", "Guest's email (optional)"),
        "daypass.guestPhone": ("Teléfono del invitado (opcional)", "Guest's phone (optional)"),
        "daypass.how": ("Cobro", "Charge"),
        "daypass.sell": ("Vender al precio del plan", "Sell at the plan's price"),
        "daypass.give": ("Regalar (precio 0)", "Give (price 0)"),
        "daypass.reason": ("Motivo del regalo", "Why it is given"),
        "daypass.reasonNeeded": ("Escribe por qué se regala.", "Say why it is given."),
        "daypass.submit": ("Emitir el pase", "Issue the pass"),
        "daypass.title": ("Pase", "Pass"),
        "daypass.holderIs": ("Titular", "Holder"),
        "daypass.valid": ("Válido", "Valid"),
        "daypass.entriesLeft": ("Entradas restantes", "Entries left"),
        "daypass.unlimited": ("sin límite de número", "no set number"),
        "daypass.branches": ("Sucursales", "Branches"),
        "daypass.everyBranch": ("Todas las sucursales", "Every branch"),
        "daypass.scan": ("Muestra este código en el lector de la puerta.", "Show this code to the door's reader."),
        "daypass.code": ("Código", "Code"),
        "daypass.print": ("Imprimir", "Print"),
        "daypass.send": ("Enviar por correo", "Send by email"),
        "daypass.sent": ("Pase enviado a", "Pass sent to"),
        "daypass.noEmail": (
            "El titular no tiene correo: imprime el pase.", "The holder has no email address: print the pass."
        ),
        "daypass.link": ("Pase", "Pass"),
        "daypass.qr": ("Código QR del pase", "The pass's QR code"),
        "daypass.bearer": (
            "Quien tenga este código puede usar sus entradas.", "Whoever holds this code may use its entries."
        ),
        "audit.do.pass.issue": ("Emitió el código de un pase", "Issued a pass's code"),
        "audit.do.pass.send": ("Envió un pase por correo", "Emailed a pass"),
        "audit.do.pass.give": ("Regaló un pase", "Gave a pass"),
    ]
}
