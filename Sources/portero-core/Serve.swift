import BackOffice
import Mail
import CoreStorage
import DemoSeed
import WebUI
import Foundation
import HTTP
import LinuxSystem
import PorteroCLI
import PorteroModel
import Server
import SQLite
import Service

/// `portero-core serve`: the configuration (the file, then the command line's options over it),
/// then the services in order — the database and its API, the HTTP server, the maintenance
/// thread — and, on SIGTERM or SIGINT, the same in reverse: maintenance joined, long polls
/// answered, requests in flight finished within the grace, every thread joined.
enum Serve {
    /// The configuration file's values with the command line's over them.
    static func configuration(_ arguments: CommandLineArguments) throws -> CoreConfiguration {
        var configuration = CoreConfiguration()
        if let path = arguments.value("--config") {
            configuration = try CoreConfiguration.load(path: path)
        } else if arguments.value("--database") == nil,
            FileManager.default.fileExists(atPath: CoreConfiguration.defaultPath)
        {
            configuration = try CoreConfiguration.load(path: CoreConfiguration.defaultPath)
        }
        if let path = arguments.value("--database") { configuration.database = path }
        if let host = arguments.value("--host") { configuration.host = host }
        if let text = arguments.value("--port") {
            guard let port = UInt16(text) else {
                throw CommandLineArguments.UsageError(message: "--port needs a number from 0 to 65535")
            }
            configuration.port = port
        }
        if let text = arguments.value("--max-per-address") {
            guard let limit = Int(text), limit > 0 else {
                throw CommandLineArguments.UsageError(message: "--max-per-address needs a positive number")
            }
            configuration.maximumConnectionsPerAddress = limit
        }
        if let text = arguments.value("--event-loops") {
            guard let loops = Int(text), (1...64).contains(loops) else {
                throw CommandLineArguments.UsageError(message: "--event-loops needs a number from 1 to 64")
            }
            configuration.eventLoops = loops
        }
        if arguments.has("--no-io-uring") { configuration.ioUring = false }
        if arguments.has("--secure-cookies") { configuration.secureCookies = true }
        if let zone = arguments.value("--time-zone") {
            guard (try? ZoneRules(identifier: zone)) != nil else {
                throw CommandLineArguments.UsageError(
                    message: "--time-zone needs an IANA name such as America/Mexico_City")
            }
            configuration.timeZone = zone
        }
        return configuration
    }

    static func run(_ configuration: CoreConfiguration) throws -> ExitCode {
        let log = Log(minimum: configuration.logLevel)
        let notifier = SystemdNotifier()
        let signals = try SignalEvents([SIGTERM, SIGINT])

        let api: CoreAPI
        do {
            api = try CoreAPI(
                path: configuration.database, secureCookies: configuration.secureCookies,
                trustedProxies: configuration.trustedProxies,
                metricsAllowedAddresses: configuration.metricsAllowedAddresses, log: log,
                timeZone: configuration.timeZone, publicURL: configuration.publicURL, oidc: configuration.oidc)
        } catch let error as any SQLDatabaseError {
            // Unreachable, refused, or not the core's: nothing was served, nothing half-written.
            printError(
                "portero-core: cannot open the database \(CoreDatabaseLocation(configuration.database)): \(error)")
            return .config
        } catch let error as MigrationError {
            printError("portero-core: \(error)")
            return .config
        }
        var http = HTTPServer.Configuration()
        http.host = configuration.host
        http.port = configuration.port
        http.maximumConnections = configuration.maximumConnections
        http.maximumConnectionsPerAddress = configuration.maximumConnectionsPerAddress
        if let loops = configuration.eventLoops { http.eventLoops = loops }
        http.ioUring = configuration.ioUring
        let server = try HTTPServer(configuration: http, router: api.router(), log: log)
        api.metrics.countConnections { server.openConnections }
        let serving = ServiceThread(name: "portero.http") { server.run() }

        // Device alarms (offline, stale replica) every 30 s.
        let stop = StopSignal()
        let maintenance = ServiceThread(name: "portero.maintenance") {
            while !stop.isFired {
                do { try api.maintain(policy: configuration.alarms) } catch { log(.error, "maintenance: \(error)") }
                stop.wait(seconds: 30)
            }
        }

        // Email: whatever the outbox holds due, as soon as this instance queues it or every 5 s.
        let mailer = configuration.mail.map { settings in
            let transport = SMTPTransport(settings)
            return ServiceThread(name: "portero.mail") {
                while !stop.isFired {
                    api.deliverMail(through: { try transport.send($0) }, from: settings.from)
                    api.waitForMail(seconds: 5)
                }
            }
        }
        if configuration.mail == nil { log(.notice, "no mail server configured: emails wait in the outbox") }
        // Webhooks: whatever their outbox holds due, every 2 s; the delivery log pruned hourly.
        let hooks = ServiceThread(name: "portero.webhooks") {
            let transport = WebhookTransport(timeoutSeconds: 10)
            var pruned = Date.distantPast
            while !stop.isFired {
                if Date().timeIntervalSince(pruned) > 3_600 {
                    api.pruneWebhookDeliveries()
                    pruned = Date()
                }
                api.deliverWebhooks { url, body, headers throws(WebhookError) in
                    try transport.post(url: url, body: body, headers: headers)
                }
                stop.wait(seconds: 2)
            }
        }

        let url = "http://\(configuration.host):\(server.port)/"
        print("portero-core serving \(url) (web UI) and /api/v1/")
        print("portero-core reads and writes sockets: \(server.socketIO)")
        fflush(nil)
        log(
            .notice,
            "serving \(url) from \(CoreDatabaseLocation(configuration.database)); sockets: \(server.socketIO)")
        notifier.ready(status: "serving \(url)")

        let tick = Int32(clamping: min(notifier.watchdogIntervalMilliseconds ?? 1_000, 1_000))
        var stopping = false
        while !stopping {
            let caught = signals.wait(milliseconds: tick)
            if let signal = caught.first {
                log(.notice, "signal \(signal): stopping")
                stopping = true
            } else if notifier.watchdogIntervalMilliseconds != nil, server.isResponsive {
                notifier.watchdog()
            }
        }
        notifier.stopping()
        stop.fire()
        maintenance.join()
        api.mailWaiting.signal()
        mailer?.join()
        hooks.join()
        api.stopWaiting()
        server.stop()
        serving.join()
        log(.notice, "stopped")
        return .success
    }
}
