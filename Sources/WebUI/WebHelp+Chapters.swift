import PorteroModel

/// The manual's chapters for each role's work: the front desk, the branch manager and the
/// administration.
extension HelpTopic {
    static let frontDesk = HelpTopic(
        slug: "front-desk",
        title: ("Recepción", "Front desk"),
        summary: (
            "Buscar y dar de alta socios, inscribirlos a un plan, registrar entradas, cobrar y vender.",
            "Finding and adding members, enrolling them on a plan, check-ins, payments and sales."
        ),
        roles: [.reception, .branchManager, .administrator, .superAdministrator],
        tasks: [
            HelpTask(
                title: ("Buscar a un socio", "Find a member"), page: "/members",
                steps: [
                    (
                        "En «Socios» escribe el nombre, la clave, el número de tarjeta o el correo.",
                        "In “Members” type the name, the clave, the card number or the email."
                    ),
                    (
                        "Abre al socio para ver su perfil, planes y entradas.",
                        "Open the member to see their profile, "
                            + "plans and visits."
                    ),
                ]),
            HelpTask(
                title: ("Dar de alta a un socio", "Add a new member"), page: "/members/new",
                steps: [
                    (
                        "Pulsa «Nuevo socio», escribe nombre, usuario y correo; el teléfono y la fecha de nacimiento "
                            + "son opcionales.",
                        "Press “New member”, type the name, username and email; phone and birth date are optional."
                    ),
                    (
                        "Deja el puesto en «Cliente» y elige la sucursal donde entrena.",
                        "Leave the role as “Member” and choose the branch where they train."
                    ),
                    (
                        "Si un dato está mal, el aviso aparece junto al campo: corrígelo y vuelve a guardar.",
                        "If a value is wrong the message appears beside the field: fix it and save again."
                    ),
                ]),
            HelpTask(
                title: ("Inscribir a un plan y cobrar", "Enrol on a plan and take payment"), page: "/members",
                steps: [
                    (
                        "En la página del socio abre «Inscribir o vender plan».",
                        "On the member's page open “Enrol on a plan”."
                    ),
                    (
                        "Elige el plan, la sucursal, la fecha de inicio y, si hay, el código de promoción.",
                        "Choose the plan, the branch, the start date and, if there is one, the promotion code."
                    ),
                    (
                        "Indica si pagó, queda pendiente o es a crédito, y la forma de pago.",
                        "Say whether it is paid, pending or on credit, and how it was paid."
                    ),
                    (
                        "Los pagos pendientes se cobran después en «Pagos pendientes».",
                        "Payments owed are collected later in “Payments owed”."
                    ),
                ]),
            HelpTask(
                title: ("Tarjetas, PIN y entradas", "Cards, PIN and check-ins"), page: "/live",
                steps: [
                    (
                        "Agrega la tarjeta del socio en su página; si la pierde, márcala como perdida.",
                        "Add the member's card on their page; if it is lost, mark it lost."
                    ),
                    (
                        "El PIN permite entrar con el teclado de la puerta.",
                        "The PIN lets them enter at the door's keypad."
                    ),
                    (
                        "«En vivo» muestra cada entrada al momento, con el motivo si se negó.",
                        "“Live” shows each entry as it happens, with the reason when it was refused."
                    ),
                    (
                        "Para dejar pasar a alguien sin tarjeta usa «Registrar entrada manual» y escribe el motivo.",
                        "To let someone in without a card use “Manual check-in” and write the reason."
                    ),
                ]),
            HelpTask(
                title: ("Vender en el punto de venta", "Sell at the point of sale"), page: "/pos",
                steps: [
                    (
                        "Abre un turno con el efectivo inicial de la caja.",
                        "Open a shift with the cash in the drawer."
                    ),
                    (
                        "Pulsa «Vender», agrega productos y registra cómo pagó el cliente.",
                        "Press “Sell”, add products and record how the customer paid."
                    ),
                    (
                        "Al terminar, cierra el turno contando el efectivo.",
                        "At the end, close the shift counting the cash."
                    ),
                ]),
            HelpTask(
                title: ("Revocar un teléfono perdido", "Revoke a lost phone"), page: "/members",
                steps: [
                    (
                        "Abre al socio; en «Teléfonos con pase» pulsa «Revocar» junto al teléfono perdido.",
                        "Open the member; in “Phones with a pass” press “Revoke” beside the lost phone."
                    ),
                    (
                        "Sus códigos dejan de abrir las puertas; el socio agrega su teléfono nuevo en «Mi pase».",
                        "Its codes stop opening doors; the member adds their new phone on “My pass”."
                    ),
                ]),
            .dayPass,
        ])

    static let branchManager = HelpTopic(
        slug: "branch-manager",
        title: ("Gerencia de sucursal", "Branch manager"),
        summary: (
            "El tablero, las puertas y sus órdenes, los productos y el corte de caja.",
            "The dashboard, the doors and their commands, products and the cash cut."
        ),
        roles: [.branchManager, .administrator, .superAdministrator],
        tasks: [
            HelpTask(
                title: ("Leer el tablero", "Read the dashboard"), page: "/dashboard",
                steps: [
                    (
                        "El tablero muestra socios activos, ventas y entradas de tus sucursales.",
                        "The dashboard shows active members, sales and visits at your branches."
                    ),
                    (
                        "La gráfica mensual compara los últimos doce meses.",
                        "The monthly chart compares the last twelve months."
                    ),
                ]),
            HelpTask(
                title: ("Dar órdenes a las puertas", "Give the doors commands"), page: "/doors",
                steps: [
                    (
                        "En «Puertas» elige la puerta (o todas) y escribe el motivo.",
                        "In “Doors” choose the door (or all of them) and write the reason."
                    ),
                    (
                        "Pulsa «Abrir una vez», «Paso libre», «Bloquear (emergencia)» o «Volver a lo normal».",
                        "Press “Unlock once”, “Free access”, “Lock down” or “Back to normal”."
                    ),
                    (
                        "Con minutos, el paso libre o el bloqueo terminan solos; la orden queda en la bitácora.",
                        "With minutes, free access or a lockdown ends by itself; the command is kept in the audit "
                            + "trail."
                    ),
                ]),
            HelpTask(
                title: ("Productos y corte de caja", "Products and the cash cut"), page: "/pos/catalogue",
                steps: [
                    (
                        "En «Productos» da de alta productos, precios y existencias.",
                        "In “Products” add products, prices and stock."
                    ),
                    (
                        "Revisa los turnos cerrados: la diferencia entre lo contado y lo esperado aparece en cada uno.",
                        "Check the closed shifts: the difference between the cash counted and expected shows on each."
                    ),
                ]),
        ])

    static let administration = HelpTopic(
        slug: "administration",
        title: ("Administración", "Administration"),
        summary: (
            "Planes, promociones, sucursales, dispositivos, convenios, la configuración y la bitácora.",
            "Plans, promotions, branches, devices, agreements, the chain settings and the audit trail."
        ),
        roles: [.administrator, .superAdministrator],
        tasks: [
            HelpTask(
                title: ("Planes y promociones", "Plans and promotions"), page: "/plans",
                steps: [
                    (
                        "En «Planes» define el precio, la duración, las visitas y las sucursales de cada plan.",
                        "In “Plans” set each plan's price, duration, visits and branches."
                    ),
                    (
                        "En «Promociones» crea códigos de descuento con sus fechas y límites.",
                        "In “Promotions” create discount codes with their dates and limits."
                    ),
                ]),
            HelpTask(
                title: ("Sucursales y dispositivos", "Branches and devices"), page: "/devices",
                steps: [
                    (
                        "En «Sucursales» da de alta cada sucursal con su zona horaria.",
                        "In “Branches” add each branch with its time zone."
                    ),
                    (
                        "En «Dispositivos» registra el equipo de la puerta: el código que aparece se escribe en él.",
                        "In “Devices” register the door's computer: type the code shown into it."
                    ),
                    (
                        "«Última señal» y «Eventos por subir» dicen si un equipo está al día.",
                        "“Last heard from” and “Events waiting to upload” say whether a device is up to date."
                    ),
                ]),
            HelpTask(
                title: ("Configuración de la cadena", "Chain settings"), page: "/chain-settings",
                steps: [
                    (
                        "Ajusta la moneda, el impuesto, los datos fiscales y las redes desde las que entra cada puesto.",
                        "Set the currency, the tax, the fiscal details and the networks each role signs in from."
                    ),
                    ("Los cambios se aplican al guardar.", "Changes apply when saved."),
                ]),
            HelpTask(
                title: ("Cupo y ocupación", "Capacity and occupancy"), page: "/reports/occupancy",
                steps: [
                    (
                        "En «Puertas», «Cupo y ocupación» de cada sucursal fija desde cuántas personas se avisa y "
                            + "cuántas caben.",
                        "In “Doors”, each branch's “Capacity and occupancy” sets from how many people managers are "
                            + "warned and how many fit."
                    ),
                    (
                        "En «Configuración de la cadena» elige si al llegar al cupo las puertas niegan la entrada "
                            + "o solo avisan; el personal siempre pasa.",
                        "In “Chain settings” choose whether the doors refuse entries at capacity or only warn; staff "
                            + "always pass."
                    ),
                    (
                        "«Ocupación en vivo» muestra cuántas personas hay dentro de cada sucursal ahora.",
                        "“Live occupancy” shows how many people are inside each branch now."
                    ),
                ]),
            HelpTask(
                title: ("Personal y accesos", "Staff and access"), page: "/members",
                steps: [
                    (
                        "En la página de la persona, «Roles y sucursales» da el puesto y las sucursales.",
                        "On the person's page, “Roles and branches” gives the role and the branches."
                    ),
                    (
                        "Para desactivar una cuenta marca la casilla de confirmación y pulsa «Dar de baja».",
                        "To deactivate an account tick the confirmation box and press “Deactivate”."
                    ),
                ]),
            HelpTask(
                title: ("La bitácora", "The audit trail"), page: "/audit",
                steps: [
                    (
                        "Cada cambio queda anotado con quién, cuándo y desde qué dirección.",
                        "Every change is recorded with who, when and from which address."
                    ),
                    (
                        "El aviso verde confirma que nadie alteró la bitácora.",
                        "The green notice confirms nobody has altered the trail."
                    ),
                ]),
        ])
}
