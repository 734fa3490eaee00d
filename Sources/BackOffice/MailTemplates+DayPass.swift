import PorteroModel

extension MailTemplates {
    /// A day or guest pass by email: its code as digits (a scanner reads them off a screen as a QR
    /// code from the desk's ticket; typed into a wedge reader they work too), its plan, dates,
    /// entries and branches in words.
    static func dayPass(language: String, _ pass: DayPassView, branchNames: [String]) -> (String, String) {
        let english = language == "en"
        let entries =
            pass.entries.map {
                english ? "\($0) entries (\(pass.used) used)" : "\($0) entradas (\(pass.used) usadas)"
            } ?? (english ? "entries without a count" : "entradas sin límite de número")
        let places =
            branchNames.isEmpty
            ? (english ? "every branch" : "todas las sucursales") : branchNames.joined(separator: ", ")
        if english {
            return (
                "Your pass: \(pass.plan)",
                """
                Hello \(pass.name),

                This is your pass "\(pass.plan)", valid from \(pass.startDate) to \(pass.endDate), for \(entries), \
                at \(places).

                Show this code at the desk, or at a door with a code reader:

                \(pass.code)

                Keep it to yourself: whoever holds the code may use its entries.
                """
            )
        }
        return (
            "Tu pase: \(pass.plan)",
            """
            Hola \(pass.name):

            Este es tu pase «\(pass.plan)», válido del \(pass.startDate) al \(pass.endDate), con \(entries), \
            en \(places).

            Muestra este código en recepción o en una puerta con lector de códigos:

            \(pass.code)

            Guárdalo para ti: quien tenga el código puede usar sus entradas.
            """
        )
    }
}
