import Foundation
import HTTP
import PorteroModel
import CoreStorage
import BackOffice
/// A piece of HTML. Literals are trusted markup; every interpolated `String` is escaped, so a
/// value from the database or a form can never become markup. Only `HTML` values and numbers
/// interpolate unescaped, and anything else does not compile.
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }
    public var description: String { text }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }
        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        public mutating func appendInterpolation(_ value: HTML) { text += value.text }
        public mutating func appendInterpolation(_ values: [HTML]) { for value in values { text += value.text } }
        public mutating func appendInterpolation(_ value: some BinaryInteger) { text += String(value) }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for character in value.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Joins pieces.
    public static func join(_ pieces: [HTML], separator: HTML = "") -> HTML {
        var result: HTML = ""
        for (index, piece) in pieces.enumerated() {
            if index > 0 { result.text += separator.text }
            result.text += piece.text
        }
        return result
    }

    /// `when` true: the piece; else nothing.
    public static func when(_ condition: Bool, _ piece: @autoclosure () -> HTML) -> HTML { condition ? piece() : "" }
}
