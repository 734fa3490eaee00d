/// The manual's task for day and guest passes at the front desk.
extension HelpTask {
    static let dayPass = HelpTask(
        title: ("Vender o regalar un pase de día", "Sell or give a day pass"), page: "/day-passes/new",
        steps: [
            (
                "En «Pase de día» elige el plan de pase (sus entradas, días y sucursales), la sucursal y el primer día.",
                "In “Day pass” choose the pass plan (its entries, days and branches), the branch and the first day."
            ),
            (
                "Para un socio escribe su número de usuario; para un invitado, su nombre y, si los tiene, correo y "
                    + "teléfono.",
                "For a member type their user number; for a guest, their name and, if they have them, email and "
                    + "phone."
            ),
            (
                "Véndelo al precio del plan, o regálalo escribiendo el motivo, y pulsa «Emitir el pase».",
                "Sell it at the plan's price, or give it and say why, and press “Issue the pass”."
            ),
            (
                "En el pase pulsa «Imprimir» para el ticket o «Enviar por correo»; la puerta lee su código QR. "
                    + "En la página del socio, «Pase» junto a cada paquete lo vuelve a mostrar.",
                "On the pass press “Print” for the ticket or “Send by email”; the door reads its QR code. "
                    + "On the member's page, “Pass” beside each pack shows it again."
            ),
        ])
}
