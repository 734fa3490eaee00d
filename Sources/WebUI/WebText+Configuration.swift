/// The words of the chain's configuration (Spanish, English).
extension WebText {
    package static let configurationTable: [String: (String, String)] = [
        "config.section": ("Configuración de la cadena", "Chain configuration"),
        "config.hint": (
            "Un campo vacío vuelve al valor predeterminado del servidor (el que se ve en gris). Los cambios "
                + "se aplican al guardar, sin reiniciar.",
            "An empty field goes back to the server's default (shown in grey). Changes apply on saving, "
                + "without a restart."
        ),
        "config.logo": ("Logotipo", "Logo"),
        "config.logoFile": ("Imagen PNG o JPEG (hasta 256 KiB)", "PNG or JPEG image (up to 256 KiB)"),
        "config.logoUpload": ("Subir logotipo", "Upload logo"),
        "config.logoRemove": ("Quitar logotipo", "Remove logo"),
        "config.chainName": ("Nombre de la cadena (encabezado)", "Chain name (page header)"),
        "config.defaultLanguage": ("Idioma predeterminado", "Default language"),
        "config.language.es": ("Español", "Spanish"),
        "config.language.en": ("Inglés", "English"),
        "config.timeZone": ("Zona horaria (IANA)", "Time zone (IANA)"),
        "config.password": ("Contraseñas", "Passwords"),
        "config.passwordMinimumLength": ("Longitud mínima", "Minimum length"),
        "config.passwordClasses": ("Debe contener", "Must contain"),
        "config.class.upper": ("una mayúscula", "an upper-case letter"),
        "config.class.lower": ("una minúscula", "a lower-case letter"),
        "config.class.digit": ("un dígito", "a digit"),
        "config.class.symbol": ("un símbolo", "a symbol"),
        "config.sessions": ("Sesiones y bloqueo", "Sessions and lockout"),
        "config.sessionIdleMinutes": ("Cierre por inactividad (minutos)", "Idle sign-out (minutes)"),
        "config.sessionAbsoluteHours": ("Duración máxima de una sesión (horas)", "Longest session (hours)"),
        "config.lockoutFailuresPerAccount": (
            "Intentos fallidos por cuenta antes del bloqueo", "Failed sign-ins per account before a lockout"
        ),
        "config.lockoutFailuresPerAddress": (
            "Intentos fallidos por dirección antes del bloqueo", "Failed sign-ins per address before a lockout"
        ),
        "config.lockoutMinutes": ("Duración del bloqueo (minutos)", "Lockout length (minutes)"),
        "config.pinMinimumLength": ("Dígitos mínimos de un PIN nuevo", "Fewest digits of a new PIN"),
        "config.deviceOfflineMinutes": (
            "Alerta de dispositivo sin conexión tras (minutos)", "Device offline alert after (minutes)"
        ),
    ]
}
