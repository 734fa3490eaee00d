/// The words of payments owed and the chain's settings (Spanish, English).
extension WebText {
    package static let paymentTable: [String: (String, String)] = [
        "nav.payments": ("Pagos pendientes", "Payments owed"),
        "nav.chainSettings": ("Configuración de la cadena", "Chain settings"),
        "payments.title": ("Pagos pendientes", "Payments owed"),
        "payments.none": ("Nadie debe un pago.", "Nobody owes a payment."),
        "payments.due": ("Vence", "Due"),
        "payments.refusedFrom": ("La puerta lo rechaza desde", "The door refuses from"),
        "payments.overdue": ("Pago vencido", "Payment overdue"),
        "payments.record": ("Registrar pago", "Record payment"),
        "payments.recorded": (
            "Pago registrado; la puerta lo sabe en segundos.", "Payment recorded; the door knows within seconds."
        ),
        "payments.outcome": ("Resultado", "Outcome"),
        "payments.method": ("Forma de pago", "Payment method"),
        "payments.amount": ("Importe (centavos)", "Amount (cents)"),
        "payments.payment": ("Pago", "Payment"),
        "payment.paid": ("Pagado", "Paid"),
        "payment.pending": ("Pago pendiente", "Payment pending"),
        "payment.failed": ("Pago rechazado", "Payment failed"),
        "payment.credit": ("A crédito", "On credit"),
        "payment.outcome.paid": ("Pagó", "Paid"),
        "payment.outcome.failed": ("No pasó", "Failed"),
        "method.cash": ("Efectivo", "Cash"),
        "method.card": ("Tarjeta", "Card"),
        "method.transfer": ("Transferencia", "Transfer"),
        "reset.title": ("¿Olvidaste tu contraseña?", "Forgot your password?"),
        "reset.explain": (
            "Escribe el correo de tu cuenta y te enviaremos un enlace para elegir una contraseña nueva.",
            "Type your account's email and we will send you a link to choose a new password."
        ),
        "reset.send": ("Enviar enlace", "Send link"),
        "reset.sent": (
            "Si el correo es de una cuenta, el enlace va en camino. Sirve una vez durante 30 minutos.",
            "If the email belongs to an account, the link is on its way. It works once, for 30 minutes."
        ),
        "reset.back": ("Volver a iniciar sesión", "Back to sign in"),
        "reset.tooMany": (
            "Demasiadas solicitudes desde aquí; inténtalo más tarde.", "Too many requests from here; try again later."
        ),
        "reset.badEmail": ("Escribe un correo válido.", "Type a valid email."),
        "reset.choose": ("Elige una contraseña nueva", "Choose a new password"),
        "reset.new": ("Contraseña nueva", "New password"),
        "reset.repeat": ("Repítela", "Type it again"),
        "reset.mismatch": ("Las dos contraseñas no coinciden.", "The two passwords differ."),
        "reset.badLink": (
            "El enlace no sirve: ya se usó, venció o está incompleto.",
            "The link does not work: used, expired or cut short."
        ),
        "reset.again": ("Pide otro", "Ask for another"),
        "reset.done": ("Contraseña cambiada; inicia sesión con ella.", "Password changed; sign in with it."),
        "login.forgot": ("¿Olvidaste tu contraseña?", "Forgot your password?"),
        "notify.title": ("Notificaciones", "Notifications"),
        "notify.hint": (
            "Elige qué te llega en Portero y qué también por correo.",
            "Choose what reaches you in Portero and what by email too."
        ),
        "notify.kind": ("Tipo", "Kind"),
        "notify.inApp": ("En Portero", "In Portero"),
        "notify.email": ("Por correo", "By email"),
        "notify.kind.door": ("Alarmas y órdenes de puertas", "Door alarms and commands"),
        "notify.kind.device": ("Controladores sin conexión", "Controllers offline"),
        "notify.kind.desk": ("Cambios de la recepción rechazados", "Desk changes refused"),
        "notify.kind.announcement": ("Avisos del personal", "Staff announcements"),
        "notify.kind.other": ("Otras", "Other"),
        "chain.title": ("Configuración de la cadena", "Chain settings"),
        "chain.currency": ("Moneda (ISO 4217)", "Currency (ISO 4217)"),
        "chain.grace": ("Días de gracia para pagar", "Days of grace to pay"),
        "chain.tax": (
            "Impuesto incluido en los precios (puntos base, 1600 = 16 %)",
            "Tax included in prices (basis points, 1600 = 16 %)"
        ),
        "chain.legalName": ("Razón social", "Legal name"),
        "chain.taxID": ("RFC o número fiscal", "Tax ID"),
        "chain.address": ("Domicilio fiscal", "Fiscal address"),
        "chain.saved": ("Configuración guardada.", "Settings saved."),
        "chain.networks": ("Redes desde las que cada rol inicia sesión", "Networks each role signs in from"),
        "chain.networksHint": (
            "Direcciones o redes separadas por comas (10.0.0.0/8, 2001:db8::/32). Vacío: desde cualquier red.",
            "Addresses or networks separated by commas (10.0.0.0/8, 2001:db8::/32). Empty: from any network."
        ),
        "chain.hint": (
            "Todos los precios incluyen el impuesto; las fracciones de centavo se redondean al más cercano, "
                + "y la mitad se aleja de cero.",
            "Every price includes the tax; fractions of a cent round to the nearest, and a half away from zero."
        ),
    ]
}
