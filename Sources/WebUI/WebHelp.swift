import PorteroModel

/// One task in the user manual: what it is for, the page where it is done, and its steps, in
/// Spanish and English.
package struct HelpTask: Sendable {
    package let title: (es: String, en: String)
    package let page: String
    package let steps: [(es: String, en: String)]
}

/// One chapter of the user manual, for the roles whose work it describes.
package struct HelpTopic: Sendable {
    package let slug: String
    package let title: (es: String, en: String)
    package let summary: (es: String, en: String)
    package let roles: [Role]
    package let tasks: [HelpTask]

    /// Every chapter, in reading order (compiled in: the manual needs no files and no network).
    package static let all: [HelpTopic] = [start, frontDesk, branchManager, administration]

    package static func named(_ slug: String) -> HelpTopic? { all.first { $0.slug == slug } }
}

extension WebText {
    /// The Spanish or the English of a manual's pair.
    package func pick(_ pair: (es: String, en: String)) -> String { language == .es ? pair.es : pair.en }

    package static let helpTable: [String: (String, String)] = [
        "nav.help": ("Ayuda", "Help"),
        "help.title": ("Manual de usuario", "User manual"),
        "help.intro": (
            "Cómo hacer cada tarea en Portero, por puesto. Los capítulos de tu puesto van marcados.",
            "How to do each task in Portero, by role. The chapters for your role are marked."
        ),
        "help.forYou": ("Para tu puesto", "For your role"),
        "help.roles": ("Puestos", "Roles"),
        "help.open": ("Abrir la página", "Open the page"),
        "help.back": ("Volver al índice del manual", "Back to the manual's contents"),
        "help.contents": ("En este capítulo", "In this chapter"),
    ]
}

extension HelpTopic {
    static let start = HelpTopic(
        slug: "start",
        title: ("Primeros pasos", "Getting started"),
        summary: (
            "Entrar, tu perfil, el idioma, la contraseña y los avisos.",
            "Signing in, your profile, the language, your password and notifications."
        ),
        roles: [.superAdministrator, .administrator, .branchManager, .reception],
        tasks: [
            HelpTask(
                title: ("Entrar y salir", "Sign in and out"), page: "/home",
                steps: [
                    (
                        "Escribe tu usuario o correo y tu contraseña en la página de entrada.",
                        "Type your username or email and your password on the sign-in page."
                    ),
                    (
                        "Si activaste la verificación en dos pasos, escribe el código de tu aplicación.",
                        "If you turned on two-step verification, type the code from your app."
                    ),
                    (
                        "Para salir, pulsa «Cerrar sesión» arriba a la derecha. La sesión también se cierra sola tras un "
                            + "rato sin uso.",
                        "To leave, press “Sign out” at the top right. The session also closes by itself after a while "
                            + "unused."
                    ),
                ]),
            HelpTask(
                title: ("Tu perfil, idioma y contraseña", "Your profile, language and password"), page: "/settings",
                steps: [
                    (
                        "Abre «Mi perfil» (tu nombre, arriba a la derecha).",
                        "Open “My profile” (your name, at the top right)."
                    ),
                    (
                        "Elige el idioma de las páginas y guarda.",
                        "Choose the language of the pages and save."
                    ),
                    (
                        "Para cambiar la contraseña escribe la actual y la nueva dos veces.",
                        "To change your password type the current one and the new one twice."
                    ),
                    (
                        "En «Verificación en dos pasos» escanea el código con tu aplicación y guarda los códigos de "
                            + "recuperación en un lugar seguro.",
                        "Under “Two-step verification” scan the code with your app and keep the recovery codes "
                            + "somewhere safe."
                    ),
                ]),
            HelpTask(
                title: ("Avisos", "Notifications"), page: "/notifications",
                steps: [
                    (
                        "La campana muestra cuántos avisos no has leído; púlsala para verlos.",
                        "The bell shows how many notifications you have not read; press it to see them."
                    ),
                    (
                        "Marca cada aviso como leído cuando lo hayas atendido.",
                        "Mark each notification read once you have dealt with it."
                    ),
                ]),
        ])
}
