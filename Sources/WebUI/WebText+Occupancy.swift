/// The words of the occupancy pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let occupancyTable: [String: (String, String)] = [
        "occupancy.title": ("Ocupación en vivo", "Live occupancy"),
        "occupancy.asOf": ("Al momento", "As of"),
        "occupancy.hint": (
            "Personas dentro de cada sucursal ahora. Donde hay lectores de salida se cuentan hasta su salida; "
                + "donde no, durante la visita habitual tras su entrada.",
            "People inside each branch now. Where there are exit readers they count until they leave; "
                + "elsewhere for the usual visit after their entry."
        ),
        "occupancy.none": ("No hay sucursales que mostrar.", "There are no branches to show."),
        "occupancy.branch": ("Sucursal", "Branch"),
        "occupancy.inside": ("Dentro", "Inside"),
        "occupancy.warn": ("Aviso desde", "Warns from"),
        "occupancy.limit": ("Cupo máximo", "Capacity"),
        "occupancy.noLimit": ("sin límite", "no limit"),
        "occupancy.state": ("Estado", "State"),
        "occupancy.state.ok": ("Con espacio", "Room left"),
        "occupancy.state.warn": ("Casi lleno", "Near capacity"),
        "occupancy.state.full": ("Lleno", "Full"),
        "occupancy.counted": ("Conteo", "Count"),
        "occupancy.counted.exits": ("Entradas y salidas", "Entries and exits"),
        "occupancy.counted.estimated": ("Estimado por visita habitual", "Estimated from the usual visit"),
        "occupancy.refuses": (
            "Al llegar al cupo máximo las puertas niegan la entrada (branch.full).",
            "At capacity the doors refuse entries (branch.full)."
        ),
        "occupancy.warnsOnly": (
            "Al llegar al cupo máximo las puertas solo avisan.", "At capacity the doors only warn."
        ),
        "occupancy.chart": ("Personas dentro frente al cupo", "People inside against capacity"),
        "occupancy.limits": ("Cupo de la sucursal", "Branch capacity"),
        "occupancy.limitsHint": (
            "Aviso: desde cuántas personas dentro se avisa a gerentes. Cupo máximo: cuántas caben; si la cadena lo "
                + "indica en Configuración, las puertas niegan la entrada al llegar a él (el personal siempre pasa). "
                + "Vacío: sin límite.",
            "Warning: from how many people inside managers are warned. Capacity: how many fit; when the chain says "
                + "so in Configuration, the doors refuse entries at it (staff always pass). Empty: no limit."
        ),
        "occupancy.saved": (
            "Cupo guardado; llega a las puertas en segundos.", "Capacity saved; it reaches the doors within seconds."
        ),
        "occupancy.error.warn": (
            "Un número de personas de 1 a 100000, no mayor que el cupo máximo",
            "A number of people from 1 to 100000, no more than the capacity"
        ),
        "occupancy.error.limit": ("Un número de personas de 1 a 100000", "A number of people from 1 to 100000"),
        "occupancy.link": ("Cupo y ocupación", "Capacity and occupancy"),
        "config.occupancy": ("Ocupación y bitácora de las puertas", "Occupancy and the doors' journal"),
        "config.occupancyRefuses": ("Al llegar al cupo máximo", "At a branch's capacity"),
        "config.occupancyRefuses.false": ("Solo avisar", "Warn only"),
        "config.occupancyRefuses.true": ("Negar la entrada (branch.full)", "Refuse entries (branch.full)"),
        "config.usualVisitMinutes": (
            "Visita habitual en minutos (para estimar sin lectores de salida)",
            "Usual visit in minutes (to estimate without exit readers)"
        ),
        "config.journalRetentionDays": (
            "Días que las puertas guardan su bitácora (vacío: lo que diga cada controlador)",
            "Days the doors keep their journal (empty: each controller's own setting)"
        ),
    ]
}
