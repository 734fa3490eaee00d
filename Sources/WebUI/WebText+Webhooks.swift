/// The words of the webhooks pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let webhookTable: [String: (String, String)] = [
        "nav.webhooks": ("Webhooks", "Webhooks"),
        "webhooks.title": ("Webhooks", "Webhooks"),
        "webhooks.new": ("Nuevo webhook", "New webhook"),
        "webhooks.none": ("No hay webhooks.", "There are no webhooks."),
        "webhooks.unknown": ("No existe ese webhook.", "There is no such webhook."),
        "webhooks.back": ("← Webhooks", "← Webhooks"),
        "webhooks.saved": ("Webhook guardado.", "Webhook saved."),
        "webhooks.removed": ("Webhook eliminado.", "Webhook removed."),
        "webhooks.tested": (
            "Evento de prueba en cola: se envía en segundos.", "Test event queued: it goes out within seconds."
        ),
        "webhooks.hint": (
            "Portero envía por POST un JSON firmado a cada URL (https, o http solo a esta máquina) con los eventos "
                + "que pide: encabezados Portero-Timestamp y Portero-Signature (v1=HMAC-SHA256 del secreto sobre "
                + "«marca.cuerpo»). Reintenta con espera creciente; tras 10 fallos seguidos lo desactiva y avisa.",
            "Portero POSTs signed JSON to each URL (https, or http only to this machine) for the events it asks "
                + "for: headers Portero-Timestamp and Portero-Signature (v1=HMAC-SHA256 of the secret over "
                + "“timestamp.body”). It retries with growing waits; after 10 failures in a row it deactivates "
                + "the webhook and says so."
        ),
        "webhooks.url": ("URL", "URL"),
        "webhooks.kinds": ("Eventos", "Events"),
        "webhooks.branches": ("Sucursales", "Branches"),
        "webhooks.branchesHint": ("Sucursales (ninguna: todas)", "Branches (none: all)"),
        "webhooks.failures": ("Fallos seguidos", "Failures in a row"),
        "webhooks.kind.attendance": ("Asistencia", "Attendance"),
        "webhooks.kind.door_alarm": ("Alarmas de puerta", "Door alarms"),
        "webhooks.kind.sale": ("Ventas", "Sales"),
        "webhooks.kind.member": ("Socios", "Members"),
        "webhooks.kind.test": ("Prueba", "Test"),
        "webhooks.secret": ("Secreto de firma", "Signing secret"),
        "webhooks.secretHint": (
            "Se muestra solo esta vez: guárdalo en el sistema que recibe para comprobar las firmas.",
            "Shown only this once: keep it in the receiving system to check the signatures."
        ),
        "webhooks.test": ("Enviar un evento de prueba", "Send a test event"),
        "webhooks.rotate": ("Cambiar el secreto", "Rotate the secret"),
        "webhooks.delete": ("Eliminar", "Remove"),
        "webhooks.deliveries": ("Entregas", "Deliveries"),
        "webhooks.noDeliveries": ("Aún no hay entregas.", "No deliveries yet."),
        "webhooks.kind": ("Evento", "Event"),
        "webhooks.statusColumn": ("Estado", "Status"),
        "webhooks.status.queued": ("En cola", "Queued"),
        "webhooks.status.delivered": ("Entregado", "Delivered"),
        "webhooks.attempts": ("Intentos", "Attempts"),
        "webhooks.error": ("Último error", "Last error"),
        "webhooks.created": ("Creado", "Created"),
    ]
}
