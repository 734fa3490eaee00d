import HTTP
import PorteroModel

/// Who may call a route: anyone (logging in), any signed-in user, the holders of a privilege at
/// the branch the request is about, or an enrolled branch device. Every route must say which;
/// nothing is allowed by default.
public enum RouteAccess: Hashable, Sendable {
    case anyone
    case signedIn
    /// The privilege at the branch named by the `branch` query parameter (or, for a write, the
    /// branches in the body); without a branch, at any branch the user holds it at.
    case privilege(Privilege)
    /// A branch daemon with its device token (`Authorization: Bearer pd_…`).
    case device
}

/// One field of a route's JSON body. Decoding accepts exactly the declared fields, so the
/// OpenAPI document and the handlers cannot disagree; the schema states the values the handler
/// accepts (a name that must not be empty, a day as YYYY-MM-DD).
public struct BodyField: Sendable {
    public let name: String
    public let schema: Schema
    public let required: Bool

    public static func required(_ name: String, _ schema: Schema) -> BodyField {
        BodyField(name: name, schema: schema, required: true)
    }
    public static func optional(_ name: String, _ schema: Schema) -> BodyField {
        BodyField(name: name, schema: schema, required: false)
    }
}

/// A rule across a body's fields, stated in the document as the handler enforces it.
public enum BodyRule: Sendable {
    /// Exactly one of these fields is present.
    case exactlyOne([String])
    /// Not both of these fields.
    case notBoth(String, String)
    /// When `field` is `value`, these fields are required.
    case requiredWhen(field: String, value: String, required: [String])
    /// `allowed` may be given only when `field` is one of `values`.
    case onlyWhen(allowed: String, field: String, values: [String])

    var document: [String: Any] {
        switch self {
        case let .exactlyOne(fields): ["oneOf": fields.map { ["required": [$0]] }]
        case let .notBoth(first, second): ["not": ["required": [first, second]]]
        case let .requiredWhen(field, value, required):
            [
                "if": ["properties": [field: ["const": value]], "required": [field]],
                "then": ["required": required],
            ]
        case let .onlyWhen(allowed, field, values):
            [
                "if": ["properties": [field: ["not": ["enum": values]]], "required": [field]],
                "then": ["not": ["required": [allowed]]],
            ]
        }
    }
}

/// A query parameter a route reads, with the values it accepts.
public struct QueryParameter: Sendable {
    public let name: String
    public let schema: Schema
    public var required = false

    public static func integer(_ name: String, _ range: ClosedRange<Int64>) -> QueryParameter {
        QueryParameter(name: name, schema: .integer(minimum: range.lowerBound, maximum: range.upperBound))
    }
    public static func text(_ name: String) -> QueryParameter { QueryParameter(name: name, schema: .text) }
    public static func date(_ name: String) -> QueryParameter { QueryParameter(name: name, schema: .date) }
    public static func boolean(_ name: String) -> QueryParameter {
        QueryParameter(name: name, schema: .string(values: ["true", "false"]))
    }
    /// A page cursor, `milliseconds~event-id`, from the last row of a page.
    public static func cursor(_ name: String) -> QueryParameter {
        QueryParameter(
            name: name, schema: .string(pattern: "^[0-9]{1,18}~\(hex(8))-\(hex(4))-\(hex(4))-\(hex(4))-\(hex(12))$"))
    }
    private static func hex(_ count: Int) -> String { "[0-9A-Fa-f]{\(count)}" }
    public static func choice(_ name: String, _ values: [String]) -> QueryParameter {
        QueryParameter(name: name, schema: .string(values: values))
    }
}

/// What a route answers when it succeeds (an error is always `{"error": message}`).
public struct RouteAnswer: Sendable {
    public enum Content: Sendable {
        case json(Schema)
        /// A file (its media type) or plain text.
        case file(String)
        case none
    }
    public let status: Int
    public let content: Content
    public let description: String

    public static func json(_ status: Int = 200, _ schema: Schema, _ description: String = "done") -> RouteAnswer {
        RouteAnswer(status: status, content: .json(schema), description: description)
    }
    public static func file(_ mediaType: String, _ description: String) -> RouteAnswer {
        RouteAnswer(status: 200, content: .file(mediaType), description: description)
    }
    public static let noContent = RouteAnswer(status: 204, content: .none, description: "done")
}

/// One declared API route.
public struct APIRoute: Sendable {
    public let method: HTTPMethod
    public let pattern: String
    public let access: RouteAccess
    /// One line for the OpenAPI document.
    public let summary: String
    public let body: [BodyField]
    /// Rules across the body's fields.
    public let bodyRules: [BodyRule]
    /// Query parameters the route reads (besides `branch`), for the OpenAPI document.
    public let query: [QueryParameter]
    /// Its answers on success.
    public let answers: [RouteAnswer]
    /// The largest body accepted (413 above it).
    public let bodyLimit: Int
    package let handler: @Sendable (APIRequest) throws -> HTTPResponse
}
