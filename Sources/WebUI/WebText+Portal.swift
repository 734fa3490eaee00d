/// The words of the member's own pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let portalTable: [String: (String, String)] = [
        "nav.my": ("Mi membresía", "My membership"),
        "portal.title": ("Mi membresía", "My membership"),
        "portal.membership": ("Mis planes", "My plans"),
        "portal.noMembership": (
            "Aún no tienes un plan. Pregunta en recepción.", "No plan yet. Ask at the front desk."
        ),
        "portal.visits": ("Mis visitas", "My visits"),
        "portal.noVisits": ("Aún no hay visitas.", "No visits yet."),
        "portal.from": ("del", "from"),
        "portal.until": ("al", "to"),
        "standing.not_started": ("por iniciar", "not started"),
    ]
}
