internal import CCurl
import Foundation

/// Where and how the core sends email.
public struct MailSettings: Equatable, Sendable {
    /// `smtp://host:port` (STARTTLS, required unless the host is this machine) or `smtps://host:port`.
    public var url: String
    /// The sender of every message (the envelope and the From header).
    public var from: String
    public var username: String?
    public var password: String?
    /// A PEM file of the CA(s) that signed the server's certificate; without it, the system's CAs.
    public var caFile: String?

    public init(url: String, from: String, username: String? = nil, password: String? = nil, caFile: String? = nil) {
        self.url = url
        self.from = from
        self.username = username
        self.password = password
        self.caFile = caFile
    }

    /// The host the URL names (without brackets), or nil when the URL is not smtp:// or smtps://.
    public var host: String? {
        guard let components = URLComponents(string: url), ["smtp", "smtps"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else { return nil }
        return host
    }

    /// This machine: mail may travel without TLS only here.
    public var isLoopback: Bool { host.map(Self.isLoopback(host:)) ?? false }

    /// True for a host name that is this machine: `localhost`, `::1` (bracketed or not), or an
    /// IPv4 address in 127.0.0.0/8 written as four numbers (`127.evil.example` is not one).
    public static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// A message the server did not take, with libcurl's words for why.
public struct MailError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Sends one message per call over SMTP with libcurl: STARTTLS required (the server's
/// certificate and name verified) unless the server is on this machine, login when a username
/// is set. Blocking, with timeouts: run it on a thread of its own.
public struct SMTPTransport: Sendable {
    public let settings: MailSettings
    public let timeoutSeconds: Int

    public init(_ settings: MailSettings, timeoutSeconds: Int = 30) {
        self.settings = settings
        self.timeoutSeconds = timeoutSeconds
    }

    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// The bytes libcurl reads from, and how far it has read.
    final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    public func send(_ message: MailMessage, date: Date = Date()) throws(MailError) {
        guard Self.initialised, let easy = curl_easy_init() else { throw MailError("libcurl could not make a handle") }
        defer { curl_easy_cleanup(easy) }
        let domain = settings.from.split(separator: "@").last.map(String.init) ?? "portero"
        let upload = Upload(message.rfc5322(date: date, messageID: "\(UUID().uuidString.lowercased())@\(domain)"))
        let recipients = curl_slist_append(nil, "<\(message.to)>")
        defer { curl_slist_free_all(recipients) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let context = Unmanaged.passUnretained(upload).toOpaque()
        var setup = [
            portero_curl_set_string(easy, CURLOPT_URL, settings.url),
            portero_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
            portero_curl_set_long(
                easy, CURLOPT_USE_SSL, Int((settings.isLoopback ? CURLUSESSL_TRY : CURLUSESSL_ALL).rawValue)),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2),
            portero_curl_set_long(easy, CURLOPT_NOSIGNAL, 1),
            portero_curl_set_long(easy, CURLOPT_TIMEOUT, timeoutSeconds),
            portero_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT, min(timeoutSeconds, 10)),
            portero_curl_set_string(easy, CURLOPT_MAIL_FROM, "<\(settings.from)>"),
            portero_curl_set_list(easy, CURLOPT_MAIL_RCPT, recipients),
            portero_curl_set_long(easy, CURLOPT_UPLOAD, 1),
            portero_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer),
            portero_curl_set_data_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
                let length = min(size * count, upload.bytes.count - upload.offset)
                upload.bytes.withUnsafeBufferPointer { source in
                    UnsafeMutableRawPointer(buffer).copyMemory(
                        from: source.baseAddress! + upload.offset, byteCount: length)  // safe: never empty
                }
                upload.offset += length
                return length
            },
            portero_curl_set_pointer(easy, CURLOPT_READDATA, context),
        ]
        if let username = settings.username {
            setup.append(portero_curl_set_string(easy, CURLOPT_USERNAME, username))
            setup.append(portero_curl_set_string(easy, CURLOPT_PASSWORD, settings.password ?? ""))
        }
        if let caFile = settings.caFile { setup.append(portero_curl_set_string(easy, CURLOPT_CAINFO, caFile)) }
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            throw MailError("libcurl refused a setting: \(String(cString: curl_easy_strerror(failed)))")
        }
        let code = withExtendedLifetime(upload) { curl_easy_perform(easy) }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw MailError(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }
}
