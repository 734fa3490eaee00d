import CPQ
import SQLite

/// A statement's result, read while the statement's call lasts.
struct PGResult {
    let handle: OpaquePointer

    var rowCount: Int32 { PQntuples(handle) }
    var columnCount: Int32 { PQnfields(handle) }
    var changedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    /// A value as the SQLite wrapper would give it: integers (and booleans, as 0 or 1), reals,
    /// byte strings, and text for every other type.
    func value(row: Int32, column: Int32) -> SQLiteValue {
        if PQgetisnull(handle, row, column) != 0 { return .null }
        let text = String(cString: PQgetvalue(handle, row, column))
        switch PQftype(handle, column) {
        case 20, 21, 23, 26: return Int64(text).map(SQLiteValue.integer) ?? .text(text)
        case 16: return .integer(text == "t" ? 1 : 0)
        case 700, 701: return Double(text).map(SQLiteValue.real) ?? .text(text)
        // numeric: what sum() of integers gives; whole numbers read as integers, as in SQLite.
        case 1700:
            if let whole = Int64(text) { return .integer(whole) }
            return Double(text).map(SQLiteValue.real) ?? .text(text)
        case 17: return Self.bytes(fromBytea: text).map(SQLiteValue.blob) ?? .text(text)
        default: return .text(text)
        }
    }

    /// `bytea`'s hex form, `\x` and two digits a byte.
    static func byteaText(_ bytes: [UInt8]) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = "\\x"
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return text
    }

    static func bytes(fromBytea text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0
        else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

/// One row of a result, read like the SQLite wrapper's rows; valid only inside the call that
/// gave it (the result is freed when the call returns).
public struct PGRow {
    let result: PGResult
    let row: Int32

    public var columnCount: Int32 { result.columnCount }
    public func value(at column: Int32) -> SQLiteValue { result.value(row: row, column: column) }
    public func isNull(_ column: Int32) -> Bool { PQgetisnull(result.handle, row, column) != 0 }

    public func get<T: SQLiteDecodable>(_ column: Int32, as type: T.Type = T.self) throws -> T {
        let value = value(at: column)
        guard let decoded = T(sqliteValue: value) else {
            throw PGError(
                message: "column \(column) holds \(value.typeName), not \(T.self)", context: "reading a row")
        }
        return decoded
    }

    public func int64(_ column: Int32) -> Int64? {
        if case let .integer(number) = value(at: column) { return number }
        return nil
    }

    public func bytes(_ column: Int32) -> [UInt8]? {
        if case let .blob(bytes) = value(at: column) { return bytes }
        return nil
    }

    public func name(of column: Int32) -> String { String(cString: PQfname(result.handle, column)) }
}
