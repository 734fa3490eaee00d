import PorteroModel

/// Turns what a serial QR or barcode scanner sends into scans: one code a line, ended by CR, LF or
/// both. A phone pass is its 196 digits, a day pass its 174; a line of 1 to 20 digits is a card
/// number (a card's printed barcode) only where the reader is told to take them, since anyone who
/// knows a number can show it as a barcode; anything else is rejected, and a line longer than a
/// pass is skipped whole.
public struct ScannerLineAssembler: Sendable {
    public static let maximumLine = 256
    private var line: [UInt8] = []
    private var overflow = false
    /// Card numbers are taken too (printed barcodes); off unless configured.
    public var acceptsCards: Bool

    public init(acceptsCards: Bool = false) { self.acceptsCards = acceptsCards }

    /// Feeds bytes as they arrived; returns a scan or a rejection for each finished line.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Result<Scan, ReadRejection>] {
        var out: [Result<Scan, ReadRejection>] = []
        for byte in bytes {
            if byte == 0x0D || byte == 0x0A {
                if let result = finish() { out.append(result) }
                continue
            }
            if overflow { continue }
            if line.count >= Self.maximumLine {
                overflow = true
                line.removeAll(keepingCapacity: true)
                out.append(.failure(.badDigits("a line longer than \(Self.maximumLine) characters")))
                continue
            }
            line.append(byte)
        }
        return out
    }

    /// What a hang-up leaves: a line without its end is not a code.
    public mutating func flush() -> [Result<Scan, ReadRejection>] {
        defer {
            line.removeAll(keepingCapacity: true)
            overflow = false
        }
        return line.isEmpty ? [] : [.failure(.truncatedFrame(received: line.count))]
    }

    private mutating func finish() -> Result<Scan, ReadRejection>? {
        defer {
            line.removeAll(keepingCapacity: true)
            overflow = false
        }
        if overflow { return nil }
        // Scanners pad with blanks or send a prefix of control characters: those go.
        let text = String(decoding: line.filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self)
        if text.isEmpty { return nil }
        if let pass = Scan.pass(text) { return .success(pass) }
        guard acceptsCards, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let number = UInt64(text)
        else { return .failure(.notACode(text)) }
        return .success(
            .card(
                CardRead(
                    format: .wedge, bits: 0, facility: nil, number: number, credential: CardNumber(rawValue: number))))
    }
}
