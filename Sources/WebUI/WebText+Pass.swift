/// The words of the member's phone pass and of the phones on a member's page (Spanish, English).
extension WebText {
    package static let passTable: [String: (String, String)] = [
        "pass.title": ("Mi pase", "My pass"),
        "pass.open": ("Mi pase en el teléfono", "My pass on this phone"),
        "pass.label": ("Código de acceso", "Entry code"),
        "pass.loading": ("Preparando tu pase…", "Preparing your pass…"),
        "pass.ready": ("Acerca este código al lector de la puerta.", "Hold this code to the door's reader."),
        "pass.noKey": (
            "Este teléfono aún no tiene pase: agrégalo abajo.", "This phone has no pass yet: add it below."
        ),
        "pass.revoked": (
            "El pase de este teléfono está revocado. Agrégalo de nuevo o pregunta en recepción.",
            "This phone's pass is revoked. Add the phone again or ask at the front desk."
        ),
        "pass.unsupported": (
            "Este navegador no puede guardar un pase. Prueba con otro navegador actualizado.",
            "This browser cannot keep a pass. Try another, up-to-date browser."
        ),
        "pass.noScript": ("El pase necesita JavaScript.", "The pass needs JavaScript."),
        "pass.countdown": ("Código nuevo en", "New code in"),
        "pass.hint": (
            "El código cambia cada pocos segundos y sirve una sola vez: una captura no abre la puerta. "
                + "Funciona sin conexión una vez abierta esta página.",
            "The code changes every few seconds and opens a door once: a screenshot does not. "
                + "It works offline once this page is open."
        ),
        "pass.phones": ("Mis teléfonos", "My phones"),
        "pass.noPhones": ("Aún no hay teléfonos.", "No phones yet."),
        "pass.add": ("Agregar este teléfono", "Add this phone"),
        "pass.addHint": (
            "La clave se crea en este teléfono y nunca sale de él; en Portero queda solo su parte pública.",
            "The key is made on this phone and never leaves it; Portero keeps only its public part."
        ),
        "pass.name": ("Nombre del teléfono", "Phone name"),
        "pass.namePlaceholder": ("Mi teléfono", "My phone"),
        "pass.added": ("agregado el", "added on"),
        "pass.revokedOn": ("revocado el", "revoked on"),
        "pass.revoke": ("Revocar", "Revoke"),
        "pass.done.added": ("Teléfono agregado.", "Phone added."),
        "pass.done.revoked": ("Teléfono revocado.", "Phone revoked."),
        "pass.error.tooMany": (
            "Ya tienes 5 teléfonos activos: revoca uno primero.", "You already have 5 active phones: revoke one first."
        ),
        "pass.error.key": ("Este navegador no envió una clave válida", "This browser did not send a valid key"),
        "phones.title": ("Teléfonos con pase", "Phones with a pass"),
        "phones.none": ("Sin teléfonos con pase.", "No phones with a pass."),
        "phones.hint": (
            "Revoca aquí un teléfono perdido: sus códigos dejan de abrir en segundos.",
            "Revoke a lost phone here: its codes stop opening doors within seconds."
        ),
    ]
}
