/// The emails the core sends, in Spanish and English (the recipient's language).
enum MailTemplates {
    static func passwordReset(language: String, name: String, link: String, minutes: Int64) -> (String, String) {
        if language == "en" {
            return (
                "Reset your Portero password",
                """
                Hello \(name),

                Someone (we hope you) asked to reset the password of your Portero account.
                To choose a new one, open this link within \(minutes) minutes:

                \(link)

                The link works once. If you did not ask for it, ignore this message: your password stays as it is.
                """
            )
        }
        return (
            "Restablece tu contraseña de Portero",
            """
            Hola \(name):

            Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta de Portero.
            Para elegir una nueva, abre este enlace en los próximos \(minutes) minutos:

            \(link)

            El enlace sirve una sola vez. Si no lo pediste, ignora este mensaje: tu contraseña no cambia.
            """
        )
    }
}
