import CoreClient
import PorteroCLI

let info = ProgramInfo(
    name: "portero",
    summary: "Portero administration command line.",
    options: [
        (
            "card decode wiegand BITS",
            "Decode a Wiegand frame (26, 34, 35, 37 bits, keypad bursts, raw) and print it as JSON."
        ),
        (
            "card decode em4100 HEXBYTES",
            "Decode an EM4100 tag (10 hex digits, or 12 with the checksum) and print it as JSON."
        ),
        (
            "login --core URL --user NAME [--totp CODE]",
            """
            Sign in (password from the terminal or standard input) and keep a personal API token in ~/.config/portero \
            (0600).
            """
        ),
        ("logout", "Revoke the stored token and forget it."),
        (
            """
            users list [--q TEXT] [--follow-up] [--branch ID] | show ID | create --user --email --name --surname \
            --branch ID [--role R] | activate ID | deactivate ID
            """,
            "Users (members and staff)."
        ),
        (
            "users pin ID [--clear] | duress-pin ID [--clear]",
            """
            Set a user's PIN or duress PIN (read from the terminal or standard input, never from the command \
            line), or clear it. A duress PIN admits like the PIN and raises the silent alarm.
            """
        ),
        (
            "users photo ID --file IMAGE | --save FILE [--pending] | --remove | --approve SHA256 | --reject",
            """
            A member's photo for the desk: a JPEG or PNG of at most 512 KiB (its metadata is removed), saved to \
            a file, removed, or the one the member sent saved with --pending (which prints its SHA-256) and \
            approved by that SHA-256, or turned down.
            """
        ),
        (
            "users phones ID [--revoke PHONE] [--json]",
            """
            The phones that carry a member's pass (made on the phone; the core holds their public keys), and \
            one revoked: the member's branches refuse its codes within a second.
            """
        ),
        (
            "users import FILE.csv [--dry-run]",
            """
            Import members from CSV with progress; nothing is imported unless every row passes; refused rows are \
            listed with their line numbers.
            """
        ),
        ("branches list | create --name NAME --city CITY --time-zone ZONE", "Branches."),
        ("cards add USER NUMBER | list USER | find NUMBER | status CARD active|lost|revoked", "Cards."),
        (
            """
            plans list | create --name --price 599.00 [--currency MXN] --months N|--days N [--branches 1,2] \
            [--windows 'mon-fri 06:00-16:00'] [--visits-total N]
            """,
            "Plans (--visits-total: a pack of N entries at any branch)."
        ),
        (
            """
            subscriptions list USER | enroll --user --plan --branch [--start DATE] [--price | --promotion CODE] \
            [--method cash|card|transfer | --payment pending|credit [--due DATE]] | freeze ID \
            [--from --to --reason] | unfreeze ID | renew ID [--promotion CODE] \
            [--method cash|card|transfer | --payment pending|credit [--due DATE]] | cancel ID
            """,
            """
            Subscriptions: the plan's price less the promotion with the code given, or without one the best \
            automatic promotion (--price sets a price by hand, no promotion); one sold pending or on credit owes \
            its payment by --due (default today), and past the chain's payment grace the door refuses it until \
            the payment is recorded; one paid at once (--method, cash by default) goes into the seller's open \
            shift at the branch.
            """
        ),
        (
            """
            subscriptions day-pass --plan --branch (--user ID | --guest NAME [--guest-email] [--guest-phone]) \
            [--start DATE] [--give REASON | --price | --promotion CODE] [--method | --payment [--due DATE]]
            """,
            """
            Sell a day or guest pass (a plan with a visits total) to a member or to a new guest (invitado-N), \
            or give one for nothing with the reason (audited).
            """
        ),
        (
            "subscriptions pass ID [--send] [--json]",
            """
            A day or guest pass (a subscription to a plan with a visits total): its signed 174-digit code for the \
            doors' QR scanners, with holder, dates, entries used and branches; each issue is audited. --send \
            emails it to the holder instead.
            """
        ),
        (
            """
            promotions list | add --name NAME (--percent P | --amount A) [--code CODE] [--plans 1,2] \
            [--branches 1,2] [--from DATE] [--to DATE] [--max-uses N] [--max-uses-per-member N] [--inactive] \
            | edit ID [the same, --automatic, --active, --always, --plans all, --branches all, --max-uses none]
            """,
            """
            Promotions: a code typed at the sale, or automatic (no code); no plans or branches: all. Edit changes \
            only what is given.
            """
        ),
        (
            """
            payments owed [--branch ID] | list SUBSCRIPTION | record SUBSCRIPTION --method cash|card|transfer \
            [--amount 599.00] [--reference TEXT] [--failed] [--reason TEXT]
            """,
            "Payments owed on subscriptions, and recording one (or a failed charge)."
        ),
        (
            "reports occupancy [--branch ID] | branches occupancy --branch ID [--warn N|none] [--capacity N|none]",
            "The people inside each branch now against its capacity; a branch's capacity, shown or set."
        ),
        (
            """
            settings [show] | logo FILE.png|FILE.jpg | logo --clear | set [--currency MXN] [--payment-grace DAYS] \
            [--tax-rate 16] [--legal-name TEXT] [--tax-id TEXT] [--fiscal-address TEXT] \
            [--sign-in-networks 'ROLE=NET,NET;ROLE=…'] \
            [--support-minutes 1-5] [--chain-name TEXT] [--language es|en] [--time-zone ZONE|default] \
            [--password-length N] [--password-classes upper,lower,digit,symbol] [--idle-minutes N] \
            [--session-hours N] [--lockout-account N] [--lockout-address N] [--lockout-minutes N] \
            [--offline-minutes N] [--pin-length 4-12] [--occupancy-refuses yes|no] [--usual-visit MINUTES] \
            [--journal-days DAYS] (N or default)
            """,
            "The chain's settings: one currency, the grace before an unpaid subscription closes the door, the tax "
                + "rate prices include, the seller on receipts and invoices, the networks each role signs in from "
                + "(ROLE= alone lifts a role's limit), and its configuration: name, default language and time zone, "
                + "password rule, sessions, sign-in lockout, device offline alert (default: the server's value); "
                + "logo sets the logo every page's header shows."
        ),
        (
            """
            webhooks list | add --url URL --kinds attendance,door_alarm,sale,member [--branches 1,2] [--inactive] \
            | edit ID [--url URL] [--kinds K,K] [--branches 1,2|all] [--active|--inactive] | remove ID \
            | deliveries ID [--limit N] | test ID | rotate ID
            """,
            "Webhook endpoints: signed POSTs of the chain's events; add and rotate print the secret once."
        ),
        (
            "support sessions [--limit N] [--status S] | show ID | end ID --reason TEXT",
            "Assisted sessions (support acting for a user with their consent): list them, look at one, end one."
        ),
        (
            "oidc show USER_ID | unlink USER_ID",
            "A user's link to the OpenID provider they sign in with (made at their first sign-in through it)."
        ),
        (
            "devices list | add --branch ID --name NAME | code ID | revoke ID",
            "Branch devices and their enrolment codes."
        ),
        (
            "attendance list [--branch --from --to --user --reason --granted|--denied] | today | tail [--interval S]",
            "Attendance; tail follows new rows."
        ),
        (
            "notifications list [--unread|--urgent] | count | read ID | read --all | preferences [KIND "
                + "[--in-app on|off] [--email-too on|off]]",
            "Notifications; preferences lists or sets which kinds (door, device, desk, announcement, other) "
                + "reach you in Portero and by email."
        ),
        (
            "doors list | history | unlock --branch ID --door ID --reason TEXT | "
                + "lockdown|free-access|release --branch ID [--door ID] [--minutes N] --reason TEXT",
            "Doors as their branches report them; remote commands (a lockdown or free access lasts until "
                + "released, or N minutes)."
        ),
        (
            """
            doors defined --branch ID | add --branch ID --name NAME [--id N] [--kind turnstile|maglock|strike] \
            [--direction both|in|out] [--mode normal|free_access|lockdown] [--schedule TEXT] [--card-and-pin] \
            [--anti-passback] [--reentry-delay S] [--presence-expiry S] | edit --branch ID --door N [the same, \
            --always-open, --no-card-and-pin, --no-anti-passback, --no-reentry-delay] | remove --branch ID --door N
            """,
            """
            Doors as headquarters defines them; their controllers take them within seconds. A schedule is \
            'mon-fri 06:00-22:00; sat 08:00-14:00' (none: always open); edit changes only the settings given.
            """
        ),
        (
            """
            calendar [list] --branch ID [--from DATE] [--to DATE] | set --branch ID --day DATE \
            (--closed | --hours '08:00-14:00') --note TEXT | clear --branch ID --day DATE
            """,
            """
            A branch's closed days and special hours (listed from today unless --from is given; set from today \
            to 1100 days ahead); on such a day they replace every door's weekly schedule for entries.
            """
        ),
        (
            """
            reports sales|pos|attendance|interbranch [--from DATE] [--to DATE] [--by GROUP] [--branch ID] | \
            expiring [--days N] | absent [--days N] [--limit N] [--after NEXT] [--json] [--format csv|xlsx \
            --output FILE]
            """,
            """
            The reports: sales --by day|week|month|branch|plan|method|cashier, pos --by product|category, \
            attendance by weekday and hour, visits between branches, renewals to call, members not seen for N days.
            """
        ),
        (
            """
            invoices list [--from DATE] [--to DATE] [--user ID] [--branch ID] [--mine] | show ID [--mine] | export \
            --output FILE [--format csv|xlsx] [--from --to --user --mine] | cancel ID --reason TEXT
            """,
            """
            Subscription invoices, numbered per branch; a credit note (the next number) cancels one. --mine: \
            your own invoices.
            """
        ),
        (
            """
            pos categories [list] | categories add --name NAME | products [list] [--branch ID] | products add \
            --name NAME --sku SKU --price MINOR [--tax BP] [--category ID] [--no-stock] [--negative-stock] | buy \
            --branch ID --supplier NAME --product ID --quantity N --cost MINOR | adjust --product ID --branch ID \
            --quantity ±N --reason TEXT | sell --shift ID --item PRODUCT:QTY[,…] --pay METHOD:MINOR[,…] \
            [--discount MINOR] | sales [--branch ID] [--shift ID] | refund SALE --shift ID --reason TEXT \
            [--lines LINE:QTY[,…]] [--method cash|card|transfer] | void SALE --reason TEXT | categories edit ID \
            [--name NAME] [--active|--inactive] | products edit ID [--name] [--sku] [--price MINOR] [--tax BP] \
            [--category ID|0] [--active|--inactive] [--stock|--no-stock] [--negative-stock|--no-negative-stock] | \
            products movements ID [--branch ID]
            """,
            """
            The point of sale: catalogue, stock per branch, tickets on one's own open shift (cash may exceed the \
            total: the change), refunds and voids (cash_cut). Amounts in minor units, prices tax-included.
            """
        ),
        (
            """
            cash registers [list] [--branch ID] | registers add --branch ID --name NAME | open --register ID \
            --float MINOR | move SHIFT --kind withdrawal|deposit|correction --amount MINOR --reason TEXT \
            [--method M] | close SHIFT --cash MINOR [--card MINOR] [--transfer MINOR] | cuts [--branch ID] [--open] \
            | cut SHIFT | registers edit ID [--name NAME] [--active|--inactive]
            """,
            """
            Cash registers and their shifts: open one's own with a float, take cash out or put it in, close with \
            what was counted (expected, counted and difference per method); a closed cut takes only corrections.
            """
        ),
        ("--json", "JSON output on every listing."),
        (
            "demo [--port 8080] [--members 5000] [--swipe-every S] [--swipes N] [--directory DIR]",
            """
            A core seeded with a gym chain (web UI and API) and one branch daemon enrolled through sync, reading a pty \
            on which cards are swiped; Ctrl-C stops it.
            """
        ),
    ],
    status: """
        Status: the card decoder, the BackOffice commands and `portero demo` work.
        """
)

runProgram(info, flags: AdminCommands.flags, valued: AdminCommands.valued.union(DemoCommand.valued)) { arguments in
    let words = arguments.positionals
    if words == ["demo"] { return try DemoCommand(arguments: arguments).run() }
    if words.count >= 2, words[0] == "card", words[1] == "decode" {
        return try CardDecodeCommand.run(Array(words.dropFirst(2)))
    }
    if let first = words.first,
        [
            "login", "logout", "users", "branches", "cards", "plans", "subscriptions", "devices", "attendance",
            "notifications", "doors", "calendar", "settings", "payments", "pos", "cash", "promotions", "invoices",
            "webhooks", "support", "oidc", "reports",
        ].contains(first)
    {
        do {
            return try AdminCommands(arguments: arguments, words: words).run()
        } catch let error as CoreClientError {
            printError("portero: \(error)")
            return error.status == 401 ? .config : .failure
        }
    }
    guard let command = words.first else {
        throw CommandLineArguments.UsageError(message: "name a command")
    }
    throw CommandLineArguments.UsageError(message: "unknown command '\(command)'")
}
