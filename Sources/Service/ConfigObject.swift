import Foundation

/// A configuration that cannot be used, naming the file, the key and what was expected.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// The key path, e.g. `doors[1].relay.line`; empty for the whole file.
    public let key: String
    public let problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)"
    }
}

/// Reads one JSON object strictly: keys outside `allowed` are errors (reported first, since a typo
/// usually explains a missing key), every value is checked for its type and range, and each error
/// names the key path.
public struct ConfigObject {
    public let file: String
    public let path: String
    public let values: [String: JSONValue]

    public init(file: String, path: String, value: JSONValue?, allowed: [String]) throws {
        guard case let .object(object)? = value else {
            throw ConfigError(file: file, key: path, problem: "expected an object")
        }
        self.file = file
        self.path = path
        self.values = object
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConfigError(
                file: file, key: key(unknown), problem: "unknown key (allowed here: \(allowed.joined(separator: ", ")))"
            )
        }
    }

    public func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    public func error(_ name: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, key: key(name), problem: problem)
    }

    private func value(_ name: String) -> JSONValue? {
        guard let value = values[name], value != .null else { return nil }
        return value
    }

    public func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else { throw error(name, "required: expected a string") }
        return value
    }

    public func optionalString(_ name: String) throws -> String? {
        guard let raw = value(name) else { return nil }
        guard case let .string(text) = raw else { throw error(name, "expected a string") }
        return text
    }

    public func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = try optionalInteger(name, in: range) else {
            throw error(name, "required: expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func optionalInteger(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let raw = value(name) else { return nil }
        guard case let .integer(number) = raw else {
            throw error(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        guard range.contains(number) else {
            throw error(name, "\(number) is out of range: expected \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = value(name) else { return fallback }
        guard case let .bool(flag) = raw else { throw error(name, "expected true or false") }
        return flag
    }

    public func choice<T: RawRepresentable>(_ name: String, default fallback: T? = nil) throws -> T
    where T.RawValue == String, T: CaseIterable {
        let options = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let text = try optionalString(name) else {
            if let fallback { return fallback }
            throw error(name, "required: expected one of \(options)")
        }
        guard let choice = T(rawValue: text) else { throw error(name, "\"\(text)\" is not one of \(options)") }
        return choice
    }

    /// A list of strings; empty when the key is absent.
    public func stringArray(_ name: String) throws -> [String] { try optionalStringArray(name) ?? [] }

    /// A list of strings, or nil when the key is absent (an empty list is a list).
    public func optionalStringArray(_ name: String) throws -> [String]? {
        guard let raw = value(name) else { return nil }
        guard case let .array(items) = raw else { throw error(name, "expected a list of strings") }
        return try items.enumerated().map { index, item in
            guard case let .string(text) = item else {
                throw ConfigError(file: file, key: "\(key(name))[\(index)]", problem: "expected a string")
            }
            return text
        }
    }

    public func object(_ name: String, allowed: [String]) throws -> ConfigObject? {
        guard let raw = value(name) else { return nil }
        return try ConfigObject(file: file, path: key(name), value: raw, allowed: allowed)
    }

    public func array(_ name: String, allowed: [String]) throws -> [ConfigObject] {
        guard let raw = value(name) else { return [] }
        guard case let .array(items) = raw else { throw error(name, "expected a list") }
        return try items.enumerated().map {
            try ConfigObject(file: file, path: "\(key(name))[\($0.offset)]", value: $0.element, allowed: allowed)
        }
    }
}

extension ConfigObject {
    /// Reads the JSON file at `path` and checks its top level against `allowed`.
    public static func load(path: String, allowed: [String]) throws -> ConfigObject {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(
                file: path, key: "", problem: "cannot read the file (\((error as NSError).localizedDescription))")
        }
        return try parse(data, file: path, allowed: allowed)
    }

    /// Decodes a configuration document strictly; `file` names it in errors.
    public static func parse(_ data: Data, file: String, allowed: [String]) throws -> ConfigObject {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail =
                (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                ?? context.debugDescription
            throw ConfigError(file: file, key: "", problem: "not valid JSON: \(detail)")
        } catch {
            throw ConfigError(file: file, key: "", problem: "not valid JSON: \(error)")
        }
        return try ConfigObject(file: file, path: "", value: json, allowed: allowed)
    }
}
