import Service

/// A JSON Schema (the part of JSON Schema 2020-12 the API uses) for the OpenAPI document, and a
/// check of a decoded answer against it, so tests can hold every answer to what the document says.
public indirect enum Schema: Sendable {
    /// A string; `format` as OpenAPI names them (`date`), `values` an enumeration, `pattern` a
    /// regular expression the document states (not checked here).
    case string(
        format: String? = nil, values: [String]? = nil, pattern: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil)
    case integer(minimum: Int64? = nil, maximum: Int64? = nil)
    case boolean
    /// An array of `Schema`, with at least `minItems` and at most `maxItems` elements when given.
    case array(Schema, minItems: Int? = nil, maxItems: Int? = nil)
    /// An object with exactly these properties; `required` ones are always present.
    case object([Property])
    /// An object whose keys are free and whose values are all `Schema`.
    case map(Schema)
    /// The value or JSON null.
    case nullable(Schema)
    /// Any one of these (an answer that has several shapes).
    case oneOf([Schema])
    /// A named schema: a component of the document, referred to by `$ref`.
    case named(String, Schema)
    /// Any JSON object (a record the document does not spell out, described in `description`).
    case anyObject(description: String)

    public struct Property: Sendable {
        public let name: String
        public let schema: Schema
        public let required: Bool
    }

    /// An object from its required properties and its optional ones (absent when they have no value).
    public static func object(_ required: KeyValuePairs<String, Schema>, optional: KeyValuePairs<String, Schema> = [:])
        -> Schema
    {
        .object(
            required.map { Property(name: $0.key, schema: $0.value, required: true) }
                + optional.map { Property(name: $0.key, schema: $0.value, required: false) })
    }

    /// Shorthands.
    public static let string = Schema.string()
    public static let integer = Schema.integer(minimum: Int64.min, maximum: Int64.max)
    public static let strings = Schema.array(.string)
    public static let integers = Schema.array(.integer)
    /// Records a route decodes itself (the sync uploads).
    public static let objects = Schema.array(.anyObject(description: "a record"))
    public static let text = Schema.string()
    /// A name or a title: one line of at most 100 characters, not blank (as `checkName` has it).
    public static let name = Schema.string(
        pattern: "^\(oneLine)*[^\\s\(controls)]\(oneLine)*$", minLength: 1, maxLength: 100)
    /// Why something was done by hand: 3 to 200 characters, not counting blanks around it.
    public static let reason = Schema.string(pattern: #"^\s*\S[\s\S]+\S\s*$"#, minLength: 3, maxLength: 200)
    /// A login name.
    public static let username = Schema.string(pattern: "^[A-Za-z0-9._-]{3,64}$", minLength: 3, maxLength: 64)
    /// An email address as the accounts check it.
    public static let email = Schema.string(pattern: "^\(emailPattern)$", maxLength: 254)
    public static let emailPattern = #"[^@\s][^\s]*@[^\s]*[^@\s]"#
    /// An amount in minor units, as plans and sales take it.
    public static let minorUnits = Schema.integer(minimum: 0, maximum: 10_000_000_000)
    /// A visit limit: 1 to 1000, or null for none.
    public static let visits = Schema.nullable(.integer(minimum: 1, maximum: 1_000))
    /// The 20-digit decimals up to 2^64 - 1.
    private static let largest64 = [
        "0[0-9]{19}",
        "1[0-7][0-9]{18}",
        "18[0-3][0-9]{17}",
        "184[0-3][0-9]{16}",
        "1844[0-5][0-9]{15}",
        "18446[0-6][0-9]{14}",
        "184467[0-3][0-9]{13}",
        "1844674[0-3][0-9]{12}",
        "184467440[0-6][0-9]{10}",
        "1844674407[0-2][0-9]{9}",
        "18446744073[0-6][0-9]{8}",
        "1844674407370[0-8][0-9]{6}",
        "18446744073709[0-4][0-9]{5}",
        "184467440737095[0-4][0-9]{4}",
        "18446744073709550[0-9]{3}",
        "18446744073709551[0-5][0-9]{2}",
        "1844674407370955160[0-9]{1}",
        "1844674407370955161[0-4]",
        "18446744073709551615",
    ].joined(separator: "|")
    /// A card number as printed or read: decimal, 0x hex, or FACILITY,CARD (26-bit Wiegand).
    public static let cardNumber = Schema.string(
        pattern: #"^\s*(0[xX][0-9A-Fa-f]{1,16}|[0-9]{1,19}|"# + largest64 + "|"
            + #"(25[0-5]|2[0-4][0-9]|[01][0-9][0-9]|[0-9]?[0-9])[,:]"#
            + #"(6553[0-5]|655[0-2][0-9]|65[0-4][0-9][0-9]|6[0-4][0-9]{3}|[0-5][0-9]{4}|[0-9]{1,4}))\s*$"#)
    /// A name that may be empty (a second surname).
    public static let optionalName = Schema.string(pattern: "^\(oneLine)*$", maxLength: 100)
    static let controls = #"\u0000-\u001F\u0085\u2028\u2029"#
    static let oneLine = "[^\(controls)]"
    public static let date = Schema.string(format: "date", pattern: #"^\d{4}-\d{2}-\d{2}$"#)
    public static let id = Schema.integer(minimum: 1, maximum: Int64.max)
    public static let count = Schema.integer(minimum: 0, maximum: Int64.max)
    /// Milliseconds since 1970-01-01 UTC.
    public static let timestamp = Schema.integer()

    /// Whether JSON null is one of its values.
    public var isNullable: Bool {
        switch self {
        case .nullable: true
        case let .named(_, schema): schema.isNullable
        case let .oneOf(choices): choices.contains(where: \.isNullable)
        default: false
        }
    }

    // MARK: The document's form

    /// The schema as the document writes it; named schemas go to `components` and become `$ref`s.
    public func document(components: inout [String: Any]) -> [String: Any] {
        switch self {
        case let .string(format, values, pattern, minLength, maxLength):
            var schema: [String: Any] = ["type": "string"]
            if let format { schema["format"] = format }
            if let values { schema["enum"] = values }
            if let pattern { schema["pattern"] = pattern }
            if let minLength { schema["minLength"] = minLength }
            if let maxLength { schema["maxLength"] = maxLength }
            return schema
        case let .integer(minimum, maximum):
            var schema: [String: Any] = ["type": "integer"]
            if let minimum { schema["minimum"] = minimum }
            if let maximum { schema["maximum"] = maximum }
            return schema
        case .boolean: return ["type": "boolean"]
        case let .array(items, minItems, maxItems):
            var schema: [String: Any] = ["type": "array", "items": items.document(components: &components)]
            if let minItems { schema["minItems"] = minItems }
            if let maxItems { schema["maxItems"] = maxItems }
            return schema
        case let .object(properties):
            var described: [String: Any] = [:]
            for property in properties { described[property.name] = property.schema.document(components: &components) }
            var schema: [String: Any] = ["type": "object", "additionalProperties": false, "properties": described]
            let required = properties.filter(\.required).map(\.name)
            if !required.isEmpty { schema["required"] = required }
            return schema
        case let .map(values):
            return ["type": "object", "additionalProperties": values.document(components: &components)]
        case let .nullable(wrapped): return ["oneOf": [wrapped.document(components: &components), ["type": "null"]]]
        case let .oneOf(choices): return ["oneOf": choices.map { $0.document(components: &components) }]
        case let .named(name, schema):
            if components[name] == nil {
                components[name] = [String: Any]()  // a placeholder first: a schema may name itself
                components[name] = schema.document(components: &components)
            }
            return ["$ref": "#/components/schemas/\(name)"]
        case let .anyObject(description): return ["type": "object", "description": description]
        }
    }

    // MARK: Checking a value

    /// What in `value` does not match: one line per mismatch, each with its JSON path; empty when it matches.
    public func problems(in value: JSONValue, at path: String = "$") -> [String] {
        switch (self, value) {
        case let (.string(_, values, _, minLength, maxLength), .string(text)):
            if let values, !values.contains(text) { return ["\(path): \"\(text)\" is not one of \(values)"] }
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { return ["\(path): shorter than \(minLength)"] }
            if let maxLength, length > maxLength { return ["\(path): longer than \(maxLength)"] }
            return []
        case let (.integer(minimum, maximum), .integer(number)):
            if let minimum, number < minimum { return ["\(path): \(number) is below \(minimum)"] }
            if let maximum, number > maximum { return ["\(path): \(number) is above \(maximum)"] }
            return []
        case (.boolean, .bool): return []
        case let (.array(items, minItems, maxItems), .array(elements)):
            if let minItems, elements.count < minItems { return ["\(path): fewer than \(minItems) elements"] }
            if let maxItems, elements.count > maxItems { return ["\(path): more than \(maxItems) elements"] }
            return elements.enumerated().flatMap { items.problems(in: $0.element, at: "\(path)[\($0.offset)]") }
        case let (.object(properties), .object(members)):
            var found: [String] = []
            for property in properties {
                if let member = members[property.name] {
                    found += property.schema.problems(in: member, at: "\(path).\(property.name)")
                } else if property.required {
                    found.append("\(path).\(property.name) is missing")
                }
            }
            let known = Set(properties.map(\.name))
            for name in members.keys.sorted() where !known.contains(name) {
                found.append("\(path).\(name) is not in the schema")
            }
            return found
        case let (.map(values), .object(members)):
            return members.sorted { $0.key < $1.key }.flatMap { values.problems(in: $0.value, at: "\(path).\($0.key)") }
        case (.nullable, .null): return []
        case let (.nullable(wrapped), _): return wrapped.problems(in: value, at: path)
        case let (.oneOf(choices), _):
            let matching = choices.filter { $0.problems(in: value, at: path).isEmpty }.count
            return matching == 1 ? [] : ["\(path): matches \(matching) of the \(choices.count) shapes, not one"]
        case let (.named(_, schema), _): return schema.problems(in: value, at: path)
        case (.anyObject, .object): return []
        default: return ["\(path): \(value) is not \(kind)"]
        }
    }

    private var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .array: "an array"
        case .object, .map, .anyObject: "an object"
        case let .nullable(wrapped): "\(wrapped.kind) or null"
        case .oneOf: "one of its shapes"
        case let .named(name, _): "a \(name)"
        }
    }
}
