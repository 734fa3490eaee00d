/// The words of the invoice pages (Spanish, English); `WebText`'s subscript looks here too.
extension WebText {
    package static let invoiceTable: [String: (String, String)] = [
        "nav.invoices": ("Facturas", "Invoices"),
        "nav.myInvoices": ("Mis facturas", "My invoices"),
        "invoices.title": ("Facturas de suscripciones", "Subscription invoices"),
        "invoices.mine": ("Mis facturas", "My invoices"),
        "invoices.none": ("No hay facturas en estas fechas.", "No invoices on these days."),
        "invoices.folio": ("Folio", "Number"),
        "invoices.date": ("Fecha", "Date"),
        "invoices.buyer": ("Cliente", "Buyer"),
        "invoices.seller": ("Emisor", "Seller"),
        "invoices.taxID": ("RFC", "Tax ID"),
        "invoices.description": ("Concepto", "Description"),
        "invoices.listPrice": ("Precio de lista", "List price"),
        "invoices.discount": ("Descuento", "Discount"),
        "invoices.net": ("Subtotal sin impuesto", "Net of tax"),
        "invoices.tax": ("Impuesto", "Tax"),
        "invoices.total": ("Total", "Total"),
        "invoices.state": ("Estado", "State"),
        "invoices.kind.invoice": ("Factura", "Invoice"),
        "invoices.kind.credit_note": ("Nota de crédito", "Credit note"),
        "invoices.valid": ("Vigente", "Valid"),
        "invoices.cancelledBy": ("Cancelada por la nota", "Cancelled by credit note"),
        "invoices.cancels": ("Cancela la factura", "Cancels invoice"),
        "invoices.reason": ("Motivo", "Reason"),
        "invoices.print": ("Imprimir", "Print"),
        "invoices.back": ("← Facturas", "← Invoices"),
        "invoices.cancel": ("Cancelar con nota de crédito", "Cancel with a credit note"),
        "invoices.cancelled": (
            "Factura cancelada: esta es su nota de crédito.", "Invoice cancelled: this is its credit note."
        ),
        "invoices.from": ("Desde", "From"),
        "invoices.to": ("Hasta", "To"),
        "invoices.notCFDI": (
            "Comprobante interno de la cadena; no es un CFDI.", "The chain's own record; not a CFDI e-invoice."
        ),
    ]
}
