/// The words of the doors, door and calendar pages (Spanish, English), kept apart from the
/// rest of the table so each file stays short; `WebText`'s subscript looks in both.
extension WebText {
    package static let doorTable: [String: (String, String)] = [
        "doors.number": ("Núm.", "No."),
        "doors.kind": ("Tipo", "Kind"),
        "doors.direction": ("Sentido", "Direction"),
        "doors.standing": ("Modo fijado", "Standing mode"),
        "doors.reported": ("Modo informado", "Reported mode"),
        "doors.schedule": ("Horario", "Schedule"),
        "doors.alwaysOpen": ("Siempre abierta", "Always open"),
        "doors.cardAndPin": ("Tarjeta y PIN", "Card and PIN"),
        "doors.antiPassback": ("Antipassback", "Anti-passback"),
        "doors.notDefined": (
            "Sin definir en la central: rechaza las entradas", "Not defined at headquarters: refuses entries"
        ),
        "doors.notReported": ("Sin informe", "Not reported"),
        "doors.noneDefined": ("Esta sucursal no tiene puertas definidas.", "This branch has no doors defined."),
        "doors.noBranches": ("No hay sucursales a tu cargo.", "No branch is in your care."),
        "doors.add": ("Agregar puerta", "Add door"),
        "doors.added": (
            "Puerta agregada; la sucursal la recibe en segundos si está conectada.",
            "Door added; a connected branch has it within seconds."
        ),
        "doors.saved": (
            "Puerta guardada; la sucursal la recibe en segundos si está conectada.",
            "Door saved; a connected branch has it within seconds."
        ),
        "doors.removed": (
            "Puerta quitada; sus controladores rechazan las entradas en ella hasta que se defina de nuevo.",
            "Door removed; its controllers refuse entries at it until it is defined again."
        ),
        "doors.numberField": ("Número de puerta (vacío: el siguiente libre)", "Door number (empty: the next free one)"),
        "doors.scheduleField": ("Horario (vacío: siempre abierta)", "Schedule (empty: always open)"),
        "doors.scheduleHint": (
            "Un día vacío: cerrada ese día; todos vacíos: siempre abierta. Un horario hasta medianoche o que la "
                + "cruza se escribe como texto, p. ej. lun-vie 06:00-24:00; sáb 22:00-02:00.",
            "An empty day: closed that day; all empty: always open. Hours to midnight or across it are written "
                + "as text, e.g. Mon-Fri 06:00-24:00; Sat 22:00-02:00."
        ),
        "doors.cardAndPinField": ("Pedir tarjeta y PIN", "Ask for card and PIN"),
        "doors.antiPassbackField": (
            "Antipassback: para entrar hay que haber salido", "Anti-passback: entering needs a prior exit"
        ),
        "doors.reentryDelay": (
            "Espera para volver a entrar, en segundos (vacío: ninguna)",
            "Wait before entering again, in seconds (empty: none)"
        ),
        "doors.presenceExpiry": (
            "Se da por salido a quien no registró salida tras (segundos)",
            "Someone with no exit on record counts as gone after (seconds)"
        ),
        "doors.remove": ("Quitar", "Remove"),
        "doors.removeTitle": ("Quitar puerta", "Remove door"),
        "doors.removeAsk": (
            "¿Quitar esta puerta? Sus controladores rechazan las entradas en ella hasta que se defina de nuevo.",
            "Remove this door? Its controllers refuse entries at it until it is defined again."
        ),
        "doors.back": ("Volver a las puertas", "Back to the doors"),
        "doors.error.takenName": (
            "Otra puerta de esta sucursal ya tiene este nombre.", "Another door here has this name."
        ),
        "doors.error.takenNumber": (
            "Otra puerta de esta sucursal ya tiene este número.", "Another door here has this number."
        ),
        "doors.error.name": ("Escribe un nombre de 1 a 100 caracteres.", "Enter a name of 1 to 100 characters."),
        "doors.error.id": ("Un número entero de 1 en adelante, o vacío.", "A whole number from 1 up, or empty."),
        "doors.error.schedule": (
            "Horario no válido: cada día con hora de inicio y de fin, p. ej. lun-vie 06:00-22:00; sáb 08:00-14:00",
            "Invalid schedule: each day with a start and an end, e.g. Mon-Fri 06:00-22:00; Sat 08:00-14:00"
        ),
        "doors.error.reentryDelaySeconds": ("De 1 a 86400 segundos, o vacío.", "From 1 to 86400 seconds, or empty."),
        "doors.error.presenceExpirySeconds": ("De 60 a 604800 segundos.", "From 60 to 604800 seconds."),
        "doors.error.choice": ("Elige una opción de la lista.", "Choose an option from the list."),
        "kind.turnstile": ("Torniquete", "Turnstile"),
        "kind.maglock": ("Chapa magnética", "Magnetic lock"),
        "kind.strike": ("Contrachapa eléctrica", "Electric strike"),
        "direction.both": ("Entrada y salida", "In and out"),
        "direction.in": ("Solo entrada", "Entry only"),
        "direction.out": ("Solo salida", "Exit only"),
        "calendar.title": ("Calendario", "Calendar"),
        "calendar.hint": (
            "Un día cerrado o con horario especial reemplaza ese día los horarios semanales de todas las puertas "
                + "de la sucursal; las salidas nunca se rechazan por él.",
            "A closed day or special hours replace that day the weekly schedules of every door of the branch; "
                + "exits are never refused by it."
        ),
        "calendar.day": ("Día", "Day"),
        "calendar.kind": ("Tipo de día", "Kind of day"),
        "calendar.closed": ("Cerrado todo el día", "Closed all day"),
        "calendar.special_hours": ("Horario especial", "Special hours"),
        "calendar.hours": ("Horas", "Hours"),
        "calendar.hoursField": (
            "Horas (solo con horario especial; p. ej. 08:00-14:00; 16:00-20:00)",
            "Hours (special hours only; e.g. 08:00-14:00; 16:00-20:00)"
        ),
        "calendar.note": ("Nota (p. ej. Navidad)", "Note (e.g. Christmas)"),
        "calendar.noteColumn": ("Nota", "Note"),
        "calendar.upcoming": ("Próximos días", "Days ahead"),
        "calendar.none": ("No hay días especiales de hoy en adelante.", "No special days from today on."),
        "calendar.set": ("Fijar un día", "Set a day"),
        "calendar.clear": ("Borrar", "Clear"),
        "calendar.saved": ("Día guardado.", "Day saved."),
        "calendar.cleared": (
            "Día borrado; rigen los horarios semanales de las puertas.",
            "Day cleared; the doors' weekly schedules apply."
        ),
        "calendar.error.day": (
            "Una fecha desde hoy hasta 1100 días adelante.", "A date from today to 1100 days ahead."
        ),
        "calendar.error.hours": (
            "Horas no válidas: escribe tramos como 08:00-14:00; 16:00-20:00, solo con horario especial.",
            "Invalid hours: write spans such as 08:00-14:00; 16:00-20:00, with special hours only."
        ),
        "calendar.error.note": ("Escribe una nota de 1 a 100 caracteres.", "Enter a note of 1 to 100 characters."),
    ]
}
