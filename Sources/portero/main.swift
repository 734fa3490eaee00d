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
            | freeze ID [--from --to --reason] | unfreeze ID | renew ID [--promotion CODE] | cancel ID
            """,
            """
            Subscriptions: the plan's price less the promotion with the code given, or without one the best \
            automatic promotion; --price sets a price by hand (no promotion).
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
            "devices list | add --branch ID --name NAME | code ID | revoke ID",
            "Branch devices and their enrolment codes."
        ),
        (
            "attendance list [--branch --from --to --user --reason --granted|--denied] | today | tail [--interval S]",
            "Attendance; tail follows new rows."
        ),
        ("notifications list [--unread|--urgent] | count | read ID | read --all", "Notifications."),
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
            invoices list [--from DATE] [--to DATE] [--user ID] [--branch ID] [--mine] | show ID [--mine] | export \
            --output FILE [--format csv|xlsx] [--from --to --user --mine] | cancel ID --reason TEXT
            """,
            """
            Subscription invoices, numbered per branch; a credit note (the next number) cancels one. --mine: \
            your own invoices.
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
            "notifications", "doors", "calendar", "promotions", "invoices",
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
