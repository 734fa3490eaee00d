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

/// The JSON type of a body field, for decoding and for the OpenAPI document.
public enum FieldType: String, Sendable {
    case string, integer, boolean, strings, integers
}

/// One field of a route's JSON body. Decoding accepts exactly the declared fields, so the
/// OpenAPI document and the handlers cannot disagree.
public struct BodyField: Sendable {
    public let name: String
    public let type: FieldType
    public let required: Bool

    public static func required(_ name: String, _ type: FieldType) -> BodyField {
        BodyField(name: name, type: type, required: true)
    }
    public static func optional(_ name: String, _ type: FieldType) -> BodyField {
        BodyField(name: name, type: type, required: false)
    }
}

/// One declared API route.
public struct APIRoute: Sendable {
    public let method: HTTPMethod
    public let pattern: String
    public let access: RouteAccess
    /// One line for the OpenAPI document.
    public let summary: String
    public let body: [BodyField]
    /// Query parameters the route reads (besides `branch`), for the OpenAPI document.
    public let query: [String]
    /// The largest body accepted (413 above it).
    public let bodyLimit: Int
    package let handler: @Sendable (APIRequest) throws -> HTTPResponse
}
