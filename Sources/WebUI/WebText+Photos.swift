/// The words of members' photos (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let photoTable: [String: (String, String)] = [
        "photo.title": ("Foto", "Photo"),
        "photo.file": (
            "Tomar o elegir una foto (JPEG o PNG, hasta 512 KB)", "Take or choose a photo (JPEG or PNG, up to 512 KB)"
        ),
        "photo.upload": ("Guardar la foto", "Save the photo"),
        "photo.remove": ("Quitar la foto", "Remove the photo"),
        "photo.waiting": ("Foto que envió el socio, por aprobar:", "Photo the member sent, to approve:"),
        "photo.approve": ("Aprobar", "Approve"),
        "photo.reject": ("Rechazar", "Turn down"),
        "photo.mine": ("Mi foto", "My photo"),
        "photo.mineWaiting": (
            "Tu nueva foto espera que la recepción la apruebe.", "Your new photo waits for the front desk's approval."
        ),
        "photo.send": ("Enviar mi foto", "Send my photo"),
        "photo.sent": (
            "Foto enviada: la recepción la aprobará.", "Photo sent: the front desk will approve it."
        ),
        "photo.done.approve": (
            "Foto aprobada: la recepción la ve desde ahora.", "Photo approved: the desk shows it now."
        ),
        "photo.done.reject": ("Foto rechazada.", "Photo turned down."),
        "photo.done.remove": ("Foto quitada.", "Photo removed."),
        "photo.done.save": ("Foto guardada.", "Photo saved."),
    ]
}
