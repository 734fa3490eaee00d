/// The words of the promotions pages and of what a sale keeps of its promotion (Spanish,
/// English); `WebText`'s subscript looks here too.
extension WebText {
    package static let promotionTable: [String: (String, String)] = [
        "nav.promotions": ("Promociones", "Promotions"),
        "promotions.title": ("Promociones", "Promotions"),
        "promotions.new": ("Nueva promoción", "New promotion"),
        "promotions.none": ("No hay promociones.", "There are no promotions."),
        "promotions.back": ("← Promociones", "← Promotions"),
        "promotions.saved": ("Promoción guardada.", "Promotion saved."),
        "promotions.created": ("Promoción creada.", "Promotion created."),
        "promotions.code": ("Código (vacío: automática)", "Code (empty: automatic)"),
        "promotions.codeColumn": ("Código", "Code"),
        "promotions.automatic": ("Automática", "Automatic"),
        "promotions.kind": ("Tipo", "Kind"),
        "promotions.kind.percent": ("Porcentaje", "Percentage"),
        "promotions.kind.amount": ("Monto fijo", "Fixed amount"),
        "promotions.value": ("Descuento (% o monto)", "Discount (% or amount)"),
        "promotions.plans": ("Planes (ninguno: todos)", "Plans (none: all)"),
        "promotions.branches": ("Sucursales (ninguna: todas)", "Branches (none: all)"),
        "promotions.allPlans": ("Todos los planes", "Every plan"),
        "promotions.allBranches": ("Todas las sucursales", "Every branch"),
        "promotions.validFrom": ("Válida desde", "Valid from"),
        "promotions.validTo": ("Válida hasta", "Valid to"),
        "promotions.always": ("Sin límite de fechas", "No date limits"),
        "promotions.maxUses": ("Usos en total (vacío: sin límite)", "Uses in total (empty: no cap)"),
        "promotions.maxUsesPerMember": ("Usos por socio (vacío: sin límite)", "Uses per member (empty: no cap)"),
        "promotions.uses": ("Usos", "Uses"),
        "promotions.validity": ("Vigencia", "Validity"),
        "promotions.hint": (
            "Con código, recepción lo escribe al inscribir o renovar. Sin código se aplica sola: de las "
                + "automáticas que cubren la venta, la de mayor descuento (a igual descuento, la que termina antes).",
            "With a code, the desk types it when enrolling or renewing. Without one it applies by itself: of the "
                + "automatic promotions covering a sale, the one with the largest discount (on a tie, the one "
                + "ending first)."
        ),
        "promotions.error.value": (
            "Un porcentaje de 0.01 a 100, o un monto mayor que cero",
            "A percentage from 0.01 to 100, or an amount above zero"
        ),
        "promotions.error.code": (
            "Hasta 40 letras, dígitos, «-» o «_»; y que ninguna otra promoción lo use",
            "Up to 40 letters, digits, “-” or “_”, used by no other promotion"
        ),
        "member.listPrice": ("Precio de lista", "List price"),
        "member.discount": ("Descuento", "Discount"),
        "member.promotionHint": (
            "Código de promoción; vacío: se aplica la mejor automática", "Promotion code; empty: the best automatic one"
        ),
    ]
}
