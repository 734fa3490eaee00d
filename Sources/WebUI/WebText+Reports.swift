/// The words of the report pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let reportTable: [String: (String, String)] = [
        "nav.reports": ("Reportes", "Reports"),
        "reports.title": ("Reportes", "Reports"),
        "reports.back": ("← Reportes", "← Reports"),
        "reports.sales": ("Ventas de planes", "Plan sales"),
        "reports.sales.about": (
            "inscripciones y renovaciones por periodo, sucursal, plan, forma de pago o cajero",
            "enrolments and renewals by period, branch, plan, payment method or cashier"
        ),
        "reports.pos": ("Ventas de mostrador", "Shop sales"),
        "reports.pos.about": (
            "tickets del punto de venta por producto o categoría, sin lo devuelto",
            "point-of-sale tickets by product or category, less refunds"
        ),
        "reports.attendance": ("Horas de más afluencia", "Busiest hours"),
        "reports.attendance.about": (
            "entradas por día de la semana y hora, en la hora local de cada sucursal",
            "entries by weekday and hour, in each branch's local time"
        ),
        "reports.expiring": ("Renovaciones por llamar", "Renewals to call"),
        "reports.expiring.about": (
            "socios cuya membresía vence pronto y aún no renuevan, con su teléfono",
            "members whose membership ends soon and who have not renewed, with their phone"
        ),
        "reports.absent": ("Socios que no vienen", "Members who stopped coming"),
        "reports.absent.about": (
            "socios con membresía vigente que no han entrado en N días",
            "members with a running membership who have not come in for N days"
        ),
        "reports.interbranch": ("Visitas entre sucursales", "Visits between branches"),
        "reports.interbranch.about": (
            "entradas en una sucursal con membresías vendidas en otra, para liquidar entre sucursales",
            "entries at one branch on memberships sold at another, for settling between branches"
        ),
        "reports.occupancy": ("Ocupación en vivo", "Live occupancy"),
        "reports.occupancy.about": (
            "personas dentro de cada sucursal ahora, contra su aforo",
            "people inside each branch now, against its capacity"
        ),
        "reports.by": ("Agrupar por", "Group by"),
        "reports.by.day": ("Día", "Day"),
        "reports.by.week": ("Semana (inicia en lunes)", "Week (from Monday)"),
        "reports.by.month": ("Mes", "Month"),
        "reports.by.branch": ("Sucursal", "Branch"),
        "reports.by.plan": ("Plan", "Plan"),
        "reports.by.method": ("Forma de pago", "Payment method"),
        "reports.by.cashier": ("Cajero", "Cashier"),
        "reports.by.product": ("Producto", "Product"),
        "reports.by.category": ("Categoría", "Category"),
        "reports.group": ("Grupo", "Group"),
        "reports.sold": ("Vendidas", "Sold"),
        "reports.amount": ("Importe", "Amount"),
        "reports.units": ("Unidades", "Units"),
        "reports.uncategorised": ("Sin categoría", "No category"),
        "reports.empty": ("Nada que mostrar con estos filtros.", "Nothing to show with these filters."),
        "reports.sales.chart": ("Importe vendido (unidades enteras)", "Amount sold (whole units)"),
        "reports.pos.chart": ("Importe vendido, los 20 primeros", "Amount sold, top 20"),
        "reports.attendance.chart": ("Entradas por día y hora", "Entries by day and hour"),
        "reports.attendance.busiest": (
            "La hora con más entradas: %1 a las %2 (%3).", "The busiest hour: %1 at %2 (%3)."
        ),
        "reports.visited": ("Sucursal visitada", "Branch visited"),
        "reports.home": ("Sucursal que vendió", "Branch that sold"),
        "reports.visits": ("Visitas", "Visits"),
        "reports.interbranch.explain": (
            "Cada fila cuenta las entradas en la sucursal visitada con una membresía que vendió la otra.",
            "Each row counts entries at the branch visited on a membership the other branch sold."
        ),
        "reports.days": ("Días", "Days"),
        "reports.plan": ("Plan", "Plan"),
        "reports.branch": ("Sucursal", "Branch"),
        "reports.ends": ("Vence", "Ends"),
        "reports.daysLeft": ("Días restantes", "Days left"),
        "reports.expiring.explain": (
            "Membresías vigentes que vencen en los próximos días y que no tienen una renovación detrás.",
            "Running memberships ending in the next days with no renewal after them."
        ),
        "reports.lastVisit": ("Última visita", "Last visit"),
        "reports.never": ("Nunca", "Never"),
        "reports.daysAway": ("Días sin venir", "Days away"),
        "reports.absent.explain": (
            "Socios con membresía vigente sin entrar en ninguna sucursal en esos días; "
                + "primero los que nunca vinieron.",
            "Members with a running membership who have entered no branch in those days; those who never came first."
        ),
        "reports.nextPage": ("Siguiente página →", "Next page →"),
        "method.owed": ("Por cobrar", "Still owed"),
    ]
}
