/// A value written as text in files and the API (`mon-fri 06:00-22:00`, `08:00-14:00`): decoded
/// by parsing the text, with the parser's message when it is refused, and encoded as its text.
public protocol TextCoded: Codable, CustomStringConvertible {
    init(parsing text: String) throws
}

extension TextCoded {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Minutes since midnight as `HH:MM` (1440 is `24:00`).
func clockText(_ minute: Int) -> String { "\(Int64(minute / 60).pad2):\(Int64(minute % 60).pad2)" }
