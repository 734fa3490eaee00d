/// SQL written for SQLite's placeholders (`?` numbered in order, `?N` by number) rewritten with
/// PostgreSQL's (`$N`), so one statement text serves both backends. Quoted strings, quoted
/// identifiers and comments are copied untouched.
public enum PGPlaceholders {
    public static func translate(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 8)
        var next = 1
        var iterator = Array(sql.unicodeScalars)[...]
        while let scalar = iterator.popFirst() {
            switch scalar {
            case "'", "\"":
                // A quoted string or identifier; a doubled quote inside is part of it.
                out.unicodeScalars.append(scalar)
                while let inner = iterator.popFirst() {
                    out.unicodeScalars.append(inner)
                    if inner == scalar {
                        if iterator.first == scalar {
                            out.unicodeScalars.append(iterator.removeFirst())
                        } else {
                            break
                        }
                    }
                }
            case "-" where iterator.first == "-":
                out.unicodeScalars.append(scalar)
                while let inner = iterator.popFirst() {
                    out.unicodeScalars.append(inner)
                    if inner == "\n" { break }
                }
            case "?":
                var digits = ""
                while let digit = iterator.first, digit.properties.numericType == .decimal, digit.isASCII {
                    digits.unicodeScalars.append(iterator.removeFirst())
                }
                if let number = Int(digits) {
                    out += "$\(number)"
                    next = max(next, number + 1)
                } else {
                    out += "$\(next)"
                    next += 1
                }
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
