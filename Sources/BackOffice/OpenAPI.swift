import CoreStorage
import Foundation
import HTTP

extension CoreAPI {
    /// The OpenAPI 3.1 document, made from the declared routes so it cannot drift from them.
    package static func openAPIDocument(_ routes: [APIRoute]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            let path = route.pattern.split(separator: "/").map {
                $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
            }.joined(separator: "/")
            var responses: [String: Any] = [
                "default": [
                    "description": "an error: {\"error\": message}",
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                ]
            ]
            responses[route.method == .post ? "201" : (route.method == .delete ? "204" : "200")] = [
                "description": "done"
            ]
            let words: [String] = path.split(separator: "/").dropFirst(2).map { String($0).capitalized }
            let operationID =
                route.method.rawValue.lowercased() + String(words.joined().filter { $0.isLetter || $0.isNumber })
            var operation: [String: Any] = [
                "summary": route.summary, "responses": responses, "operationId": operationID,
            ]
            var parameters: [[String: Any]] = route.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                [
                    "name": String($0.dropFirst()), "in": "path", "required": true,
                    "schema": ["type": "integer", "minimum": 1],
                ]
            }
            for name in route.query {
                let schema: [String: Any] = name == "q" ? ["type": "string"] : ["type": "integer", "minimum": 0]
                parameters.append(["name": name, "in": "query", "required": false, "schema": schema])
            }
            switch route.access {
            case .anyone: operation["security"] = [[String: Any]]()
            case .signedIn: operation["x-portero-access"] = "signed-in"
            case .device:
                operation["x-portero-access"] = "device"
                operation["security"] = [["device": [String]()]]
            case let .privilege(privilege):
                operation["x-portero-access"] = "privilege:\(privilege.rawValue)"
                parameters.append([
                    "name": "branch", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1],
                ])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if !route.body.isEmpty {
                var properties: [String: Any] = [:]
                for field in route.body {
                    switch field.type {
                    case .string: properties[field.name] = ["type": "string"]
                    case .integer: properties[field.name] = ["type": "integer"]
                    case .boolean: properties[field.name] = ["type": "boolean"]
                    case .strings: properties[field.name] = ["type": "array", "items": ["type": "string"]]
                    case .integers: properties[field.name] = ["type": "array", "items": ["type": "integer"]]
                    }
                }
                var schema: [String: Any] = ["type": "object", "additionalProperties": false, "properties": properties]
                let required = route.body.filter(\.required).map(\.name)
                if !required.isEmpty { schema["required"] = required }
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": schema]]]
            }
            paths["/" + path, default: [:]][route.method.rawValue.lowercased()] = operation
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Portero BackOffice API", "version": "1"],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "session": ["type": "apiKey", "in": "cookie", "name": "portero_session"],
                    "token": ["type": "http", "scheme": "bearer"],
                    "device": [
                        "type": "http", "scheme": "bearer", "description": "a device token (pd_…) from enrolment",
                    ],
                ],
                "schemas": [
                    "Error": ["type": "object", "properties": ["error": ["type": "string"]], "required": ["error"]]
                ],
            ],
            "security": [["session": [String]()], ["token": [String]()]],
        ]
    }

    /// The openapi.json route, describing every route including itself.
    package static func declareOpenAPIRoute(_ table: inout RouteTable) {
        let summary = "This document"
        let itself = APIRoute(
            method: .get, pattern: "/api/v1/openapi.json", access: .anyone, summary: summary, body: [], query: [],
            bodyLimit: 0
        ) { _ in HTTPResponse(status: 200) }
        let data =
            (try? JSONSerialization.data(
                withJSONObject: openAPIDocument(table.routes + [itself]), options: [.sortedKeys])) ?? Data("{}".utf8)
        let body = Array(data)
        table.add(.get, "/api/v1/openapi.json", .anyone, summary) { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    /// The document as the route serves it.
    public func openAPIDocument() -> [String: Any] { Self.openAPIDocument(routes) }
}
