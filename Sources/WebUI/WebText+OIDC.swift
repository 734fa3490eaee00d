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
    ]
}
