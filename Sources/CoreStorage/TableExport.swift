import Foundation

/// A table of text cells written as CSV or XLSX, for the customers and leads exports.
public struct TableExport: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// RFC 4180 CSV in UTF-8 with a byte-order mark, so spreadsheets open it with accents intact.
    /// Cells starting with = + - @ (but plain numbers) are prefixed with ' so a spreadsheet never runs them
    /// as formulas.
    public func csv() -> [UInt8] {
        var text = ""
        for row in [header] + rows {
            text += row.map(Self.csvCell).joined(separator: ",") + "\r\n"
        }
        return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    }

    package static func csvCell(_ value: String) -> String {
        var cell = value
        // A plain number (a negative amount) is no formula.
        if let first = cell.first, "=+-@\t\r".contains(first), Double(cell) == nil { cell = "'" + cell }
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// An Office Open XML workbook with one sheet of inline strings, in a ZIP with stored entries.
    public func xlsx(sheetName: String) -> [UInt8] {
        func escape(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
                default:
                    // XML 1.0 cannot carry other control characters at all.
                    if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out
        }
        func column(_ index: Int) -> String {
            var name = "", n = index + 1
            while n > 0 {
                let remainder = (n - 1) % 26
                name = String(UnicodeScalar(UInt8(65 + remainder))) + name
                n = (n - 1) / 26
            }
            return name
        }
        var sheet =
            #"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\#
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            """#
        for (r, row) in ([header] + rows).enumerated() {
            sheet += #"<row r="\#(r + 1)">"#
            for (c, value) in row.enumerated() {
                sheet +=
                    #"""
                    <c r="\#(column(c))\#(r + 1)" t="inlineStr">\#
                    <is><t xml:space="preserve">\#(escape(value))</t></is></c>
                    """#
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        let files: [(String, String)] = [
            (
                "[Content_Types].xml",
                #"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\#
                <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" \#
                ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\#
                <Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" \#
                ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\#
                <Override PartName="/xl/worksheets/sheet1.xml" \#
                ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
                """#
            ),
            (
                "_rels/.rels",
                #"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\#
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\#
                <Relationship Id="rId1" \#
                Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \#
                Target="xl/workbook.xml"/></Relationships>
                """#
            ),
            (
                "xl/workbook.xml",
                #"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\#
                <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \#
                xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\#
                <sheet name="\#(escape(String(sheetName.prefix(31))))" sheetId="1" r:id="rId1"/></sheets></workbook>
                """#
            ),
            (
                "xl/_rels/workbook.xml.rels",
                #"""
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>\#
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\#
                <Relationship Id="rId1" \#
                Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \#
                Target="worksheets/sheet1.xml"/></Relationships>
                """#
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        return ZipWriter.stored(files.map { ($0.0, Array($0.1.utf8)) })
    }
}

/// The few bytes of the ZIP format (APPNOTE 6.3) an XLSX needs: stored (uncompressed) entries,
/// a central directory and its end record.
package enum ZipWriter {
    package static func stored(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ value: Int, into bytes: inout [UInt8]) {
            bytes += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)]
        }
        func le32(_ value: UInt32, into bytes: inout [UInt8]) {
            bytes += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
        }
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = crc32(entry.data)
            let offset = UInt32(out.count)
            // Local file header: version 2.0, UTF-8 names (bit 11), stored, a fixed 1980-01-01 time.
            le32(0x0403_4B50, into: &out)
            le16(20, into: &out)
            le16(0x0800, into: &out)
            le16(0, into: &out)
            le16(0, into: &out)
            le16(0x21, into: &out)
            le32(crc, into: &out)
            le32(UInt32(entry.data.count), into: &out)
            le32(UInt32(entry.data.count), into: &out)
            le16(name.count, into: &out)
            le16(0, into: &out)
            out += name + entry.data
            le32(0x0201_4B50, into: &central)
            le16(20, into: &central)
            le16(20, into: &central)
            le16(0x0800, into: &central)
            le16(0, into: &central)
            le16(0, into: &central)
            le16(0x21, into: &central)
            le32(crc, into: &central)
            le32(UInt32(entry.data.count), into: &central)
            le32(UInt32(entry.data.count), into: &central)
            le16(name.count, into: &central)
            le16(0, into: &central)
            le16(0, into: &central)
            le16(0, into: &central)
            le16(0, into: &central)
            le32(0, into: &central)
            le32(offset, into: &central)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        le32(0x0605_4B50, into: &out)
        le16(0, into: &out)
        le16(0, into: &out)
        le16(entries.count, into: &out)
        le16(entries.count, into: &out)
        le32(UInt32(central.count), into: &out)
        le32(centralOffset, into: &out)
        le16(0, into: &out)
        return out
    }

    /// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320).
    package static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
