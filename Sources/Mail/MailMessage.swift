import Foundation

/// One email: plain text in UTF-8, written out as RFC 5322 with MIME headers. Header values are
/// encoded (RFC 2047) when they are not plain ASCII, and the body travels in base64, so no line
/// of it is ever too long and no byte is mangled on the way.
public struct MailMessage: Equatable, Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String

    public init(from: String, to: String, subject: String, body: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// The message as sent: CRLF line ends, a Date, a Message-ID on `domain`.
    public func rfc5322(date: Date, messageID: String) -> [UInt8] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let lines = [
            "From: \(Self.headerSafe(from))", "To: \(Self.headerSafe(to))", "Subject: \(Self.encoded(subject))",
            "Date: \(formatter.string(from: date))", "Message-ID: <\(Self.headerSafe(messageID))>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "",
        ]
        let text = Data(
            body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let encodedBody = text.base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn,
            .endLineWithLineFeed,
        ])
        return Array((lines.joined(separator: "\r\n") + "\r\n" + encodedBody + "\r\n").utf8)
    }

    /// A header value as an RFC 2047 encoded word when it is not printable ASCII.
    static func encoded(_ value: String) -> String {
        let clean = headerSafe(value)
        guard clean.unicodeScalars.contains(where: { !(0x20...0x7E).contains($0.value) }) else { return clean }
        return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
    }

    /// No line break may reach a header: a value cannot add headers of its own.
    static func headerSafe(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }

    /// True for what an address of a recipient or sender must look like here: one `@`, no spaces,
    /// no angle brackets or line breaks (the SMTP envelope carries it as typed).
    public static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && text.count <= 254
            && !text.contains(where: { $0.isWhitespace || "<>\r\n,;\"".contains($0) })
    }
}
