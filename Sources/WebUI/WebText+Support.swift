/// The words of the assisted-session pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let supportTable: [String: (String, String)] = [
        "nav.support": ("Soporte", "Support"),
        "support.title": ("Soporte a usuarios", "User support"),
        "support.hint": (
            "Para actuar por un usuario: escribe su correo y tu código de verificación en dos pasos. Le llega un "
                + "código por correo; cuando lo escriba en su página de Soporte y te lo lea, escríbelo aquí. La "
                + "sesión asistida dura como máximo 5 minutos y solo permite lo que el usuario puede hacer.",
            "To act for a user: enter their email and your own two-step code. A code goes to their email; once "
                + "they enter it on their Support page and read it to you, enter it here. The assisted session "
                + "lasts at most 5 minutes and allows only what the user may do."
        ),
        "support.start": ("Iniciar verificación", "Start verification"),
        "support.email": ("Correo del usuario", "User email"),
        "support.totp": ("Tu código de verificación en dos pasos", "Your two-step code"),
        "support.code": ("Código que te lee el usuario", "Code the user reads to you"),
        "support.myCode": ("Código recibido por correo", "Code received by email"),
        "support.confirm": ("Actuar por el usuario", "Act for the user"),
        "support.consent": ("Autorizar", "Authorise"),
        "support.decline": ("Rechazar", "Decline"),
        "support.end": ("Terminar la sesión asistida", "End the assisted session"),
        "support.cancel": ("Cancelar el proceso", "Cancel the process"),
        "support.reasonHint": ("Motivo (obligatorio)", "Reason (required)"),
        "support.none": ("No hay solicitudes de soporte.", "There are no support requests."),
        "support.noneMine": (
            "Nadie de soporte pide actuar por ti.", "Nobody from support is asking to act for you."
        ),
        "support.back": ("← Soporte", "← Support"),
        "support.user": ("Usuario", "User"),
        "support.supportUser": ("Soporte", "Support"),
        "support.status": ("Estado", "Status"),
        "support.created": ("Pedida", "Asked"),
        "support.endsAt": ("Termina", "Ends"),
        "support.reason": ("Motivo del cierre", "Closing reason"),
        "support.status.pending": ("Esperando al usuario", "Waiting for the user"),
        "support.status.consented": ("Autorizada por el usuario", "Authorised by the user"),
        "support.status.active": ("En curso", "Running"),
        "support.status.ended": ("Terminada", "Ended"),
        "support.status.declined": ("Rechazada", "Declined"),
        "support.status.cancelled": ("Cancelada", "Cancelled"),
        "support.status.void": ("Anulada (códigos erróneos)", "Void (wrong codes)"),
        "support.status.expired": ("Código vencido", "Code expired"),
        "support.waiting": (
            "El código va en camino al correo del usuario. Cuando lo escriba en su página de Soporte, escribe "
                + "aquí el mismo código.",
            "The code is on its way to the user's email. Once they enter it on their Support page, enter the same "
                + "code here."
        ),
        "support.asks": ("%1 de soporte pide actuar por ti (pedido %2).", "%1 of support asks to act for you (%2)."),
        "support.asksHint": (
            "Si tú pediste ayuda, escribe el código que te llegó por correo y díselo. Si no, recházala.",
            "If you asked for help, enter the code from your email and read it to them. If not, decline."
        ),
        "support.consented": (
            "Autorizaste. Cuando soporte escriba el código, la sesión empieza.",
            "You authorised it. The session starts once support enters the code."
        ),
        "support.banner": (
            "Soporte %1 está actuando por %2 — termina a las %3", "Support %1 is acting for %2 — ends at %3"
        ),
        "support.bannerAsk": ("%1 de soporte pide actuar por ti.", "%1 of support asks to act for you."),
        "support.answer": ("Responder", "Answer"),
        "support.manage": ("Ver o terminar", "View or end"),
        "support.ended": ("La sesión asistida terminó.", "The assisted session ended."),
        "support.mine": ("Soporte", "Support"),
        "chain.supportMinutes": (
            "Duración de una sesión asistida de soporte (minutos, 1 a 5)",
            "Length of an assisted support session (minutes, 1 to 5)"
        ),
        "support.actor": ("soporte %1 por el usuario %2", "support %1 for user %2"),
    ]
}
