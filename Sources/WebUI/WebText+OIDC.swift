/// The words of signing in through the OpenID provider (Spanish, English).
extension WebText {
    package static let oidcTable: [String: (String, String)] = [
        "oidc.signInWith": ("Entrar con %@", "Sign in with %@"),
        "oidc.or": ("o", "or"),
        "oidc.refused": ("No se pudo entrar", "Sign-in refused"),
        "oidc.back": ("Volver a la entrada", "Back to sign-in"),
        "oidc.continue": ("Continuar", "Continue"),
        "oidc.signedIn": ("Sesión iniciada.", "Signed in."),
        "oidc.codeTitle": ("Código de un solo uso", "One-time code"),
        "oidc.codeHint": (
            "Tu cuenta pide un segundo factor: escribe el código de tu app de autenticación o un código de respaldo.",
            "Your account asks for a second factor: type the code from your authenticator app or a recovery code."
        ),
        "oidc.codeWrong": ("El código no es correcto.", "The code is wrong."),
        "oidc.section": ("Proveedor de acceso", "Sign-in provider"),
        "oidc.linked": ("Vinculada con %@ como %@ desde %@.", "Linked to %@ as %@ since %@."),
        "oidc.notLinked": (
            "Sin vincular: se vincula la primera vez que entras con %@ (con el mismo correo verificado).",
            "Not linked: it links the first time you sign in with %@ (with the same verified email)."
        ),
        "oidc.unlink": ("Desvincular", "Unlink"),
        "oidc.unlinked": ("Cuenta desvinculada del proveedor.", "Account unlinked from the provider."),
        "oidc.reason.unknown_account": (
            "Ninguna cuenta tiene ese correo; pide una a un administrador.",
            "No account has that email; ask an administrator for one."
        ),
        "oidc.reason.email_unverified": (
            "El proveedor no ha verificado tu correo.", "The provider has not verified your email."
        ),
        "oidc.reason.state_unknown": (
            "Este intento ya se usó o caducó; vuelve a empezar.",
            "This sign-in was already used or has expired; start again."
        ),
        "oidc.reason.state_browser": (
            "Este intento empezó en otro navegador; vuelve a empezar.",
            "This sign-in was started in another browser; start again."
        ),
        "oidc.reason.inactive": ("La cuenta está desactivada.", "The account is deactivated."),
        "oidc.reason.locked": (
            "Demasiados intentos fallidos; espera unos minutos.", "Too many failed sign-ins; wait a few minutes."
        ),
        "oidc.reason.network_refused": (
            "Tu puesto no puede entrar desde esta red.", "Your role may not sign in from this network."
        ),
        "oidc.reason.provider_denied": ("El proveedor no te dejó entrar.", "The provider did not sign you in."),
        "oidc.reason.provider_unreachable": (
            "No se pudo contactar al proveedor de acceso; inténtalo en un momento.",
            "The sign-in provider could not be reached; try again in a moment."
        ),
        "oidc.reason.busy": (
            "Otro acceso está hablando con el proveedor; inténtalo en un momento.",
            "Another sign-in is talking to the provider; try again in a moment."
        ),
        "oidc.reason.provider_error": (
            "El proveedor de acceso respondió algo que Portero no puede usar; avisa a un administrador.",
            "The sign-in provider answered something Portero cannot use; tell an administrator."
        ),
        "oidc.reason.token_exchange": (
            "El proveedor no entregó tu identidad; vuelve a empezar.",
            "The provider did not hand over your identity; start again."
        ),
        "oidc.reason.linked_elsewhere": (
            "Esa cuenta ya está vinculada a otra identidad del proveedor; su dueño puede desvincularla.",
            "That account is linked to another identity at the provider; its owner can unlink it."
        ),
        "oidc.reason.not_configured": ("No hay proveedor de acceso configurado.", "No sign-in provider is configured."),
        "oidc.reason.internal": (
            "No se pudo completar el acceso; inténtalo de nuevo.", "The sign-in could not be completed; try again."
        ),
        "oidc.reason.state_missing": (
            "La respuesta del proveedor no corresponde a un acceso; vuelve a empezar.",
            "The provider's answer belongs to no sign-in; start again."
        ),
        "oidc.reason.code_missing": (
            "La respuesta del proveedor no corresponde a un acceso; vuelve a empezar.",
            "The provider's answer belongs to no sign-in; start again."
        ),
        "oidc.reason.no_email": (
            "El proveedor no dio tu correo; permite compartirlo.", "The provider gave no email; allow sharing it."
        ),
        "oidc.reason.token": (
            "La identidad que envió el proveedor no es válida (%@); el intento quedó registrado.",
            "The identity the provider sent is not valid (%@); the attempt was recorded."
        ),
    ]

    /// Refusals of the ID token itself: one sentence, with the check that failed named.
    static let tokenReasons: Set<String> = [
        "alg_none", "alg_refused", "bad_signature", "expired", "issued_in_future", "malformed", "nonce_mismatch",
        "unknown_key", "wrong_audience", "wrong_issuer",
    ]
}
