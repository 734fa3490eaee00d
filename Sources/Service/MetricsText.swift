import Foundation

/// Text in Prometheus' exposition format (version 0.0.4): each family's `# HELP` and `# TYPE`
/// lines, then its samples, `name{label="value",…} number`, one a line.
public struct MetricsText: Sendable {
    /// The media type of a scrape's answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public private(set) var text = ""

    public init() {}

    /// Begins a family: `type` is counter, gauge or histogram.
    public mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        sample(name, labels, String(value))
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        sample(name, labels, Self.number(value))
    }

    /// A family of one gauge without labels.
    public mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        family(name, "gauge", help)
        sample(name, [], value)
    }

    public mutating func gauge(_ name: String, _ help: String, _ value: Int) {
        family(name, "gauge", help)
        sample(name, [], value)
    }

    /// A histogram's samples: `cumulative[i]` observations at or under `bounds[i]`, `count` in all.
    public mutating func histogram(
        _ name: String, _ labels: [(String, String)] = [], bounds: [Double], cumulative: [Int], count: Int, sum: Double
    ) {
        for (bound, observed) in zip(bounds, cumulative) {
            sample(name + "_bucket", labels + [("le", Self.number(bound))], observed)
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], count)
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, count)
    }

    /// A label value escaped as the format requires (backslash, double quote, line feed).
    public static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A number as the format writes it (`+Inf`, `NaN`; else Swift's shortest exact form).
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }
}
