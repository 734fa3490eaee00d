import CoreStorage
import Foundation
import HTTP
import Service

extension CoreAPI {
    /// The OpenAPI 3.1 document, made from the declared routes so it cannot drift from them.
    package static func openAPIDocument(_ routes: [APIRoute]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        var components: [String: Any] = [:]
        for route in routes {
            let path = route.pattern.split(separator: "/").map {
                $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0)
            }.joined(separator: "/")
            var responses: [String: Any] = [
                "default": [
                    "description": "an error: {\"error\": message}",
                    "content": ["application/json": ["schema": Schema.error.document(components: &components)]],
                ]
            ]
            for answer in route.answers {
                // Answers with one status (a JSON page or a file) share its entry, one content each.
                var response = responses[String(answer.status)] as? [String: Any] ?? [:]
                var content = response["content"] as? [String: Any] ?? [:]
                let description = response["description"] as? String
                response["description"] = description.map { "\($0); \(answer.description)" } ?? answer.description
                switch answer.content {
                case let .json(schema):
                    content["application/json"] = ["schema": schema.document(components: &components)]
                case let .file(mediaType): content[mediaType] = ["schema": ["type": "string"]]
                case .none: break
                }
                if !content.isEmpty { response["content"] = content }
                responses[String(answer.status)] = response
            }
            let words: [String] = path.split(separator: "/").dropFirst(2).map { String($0).capitalized }
            let operationID =
                route.method.rawValue.lowercased() + String(words.joined().filter { $0.isLetter || $0.isNumber })
            var operation: [String: Any] = [
                "summary": route.summary, "responses": responses, "operationId": operationID,
            ]
            var parameters: [[String: Any]] = route.pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                [
                    "name": String($0.dropFirst()), "in": "path", "required": true,
                    "schema": ["type": "integer", "minimum": 1, "maximum": Int64.max],
                ]
            }
            for parameter in route.query {
                parameters.append([
                    "name": parameter.name, "in": "query", "required": parameter.required,
                    "schema": parameter.schema.document(components: &components),
                ])
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
                    "name": "branch", "in": "query", "required": false,
                    "schema": ["type": "integer", "minimum": 1, "maximum": Int64.max],
                ])
            }
            if !parameters.isEmpty { operation["parameters"] = parameters }
            if !route.body.isEmpty {
                var properties: [String: Any] = [:]
                for field in route.body { properties[field.name] = field.schema.document(components: &components) }
                var schema: [String: Any] = ["type": "object", "additionalProperties": false, "properties": properties]
                let required = route.body.filter(\.required).map(\.name)
                if !required.isEmpty { schema["required"] = required }
                if !route.bodyRules.isEmpty { schema["allOf"] = route.bodyRules.map(\.document) }
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
                "schemas": components,
            ],
            "security": [["session": [String]()], ["token": [String]()]],
        ]
    }

    /// The openapi.json route, describing every route including itself.
    package static func declareOpenAPIRoute(_ table: inout RouteTable) {
        let summary = "This document"
        let answers = [RouteAnswer.json(200, .anyObject(description: "an OpenAPI 3.1 document"), "this document")]
        let itself = APIRoute(
            method: .get, pattern: "/api/v1/openapi.json", access: .anyone, summary: summary, body: [], bodyRules: [],
            query: [],
            answers: answers, bodyLimit: 0
        ) { _ in HTTPResponse(status: 200) }
        let data =
            (try? JSONSerialization.data(
                withJSONObject: openAPIDocument(table.routes + [itself]), options: [.sortedKeys])) ?? Data("{}".utf8)
        let body = Array(data)
        table.add(.get, "/api/v1/openapi.json", .anyone, summary, answers: answers) { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
    }

    /// The document as the route serves it.
    public func openAPIDocument() -> [String: Any] { Self.openAPIDocument(routes) }
}

extension CoreAPI {
    /// How an answer departs from what the document declares for its route: one line per
    /// mismatch, empty when it conforms (or no API route matches). Tests hold every answer to it.
    package func conformance(of response: HTTPResponse, method: HTTPMethod, path: String) -> [String] {
        guard response.deferred == nil,
            let route = routes.first(where: { $0.method == method && Self.matches($0.pattern, path) })
        else { return [] }
        let name = "\(method.rawValue) \(route.pattern) → \(response.status)"
        let mediaType = response.header("content-type")?.split(separator: ";").first.map(String.init) ?? ""
        func json(_ schema: Schema) -> [String] {
            guard mediaType == "application/json" else { return ["\(name): content type \(mediaType)"] }
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
                return ["\(name): the body is not JSON"]
            }
            return schema.problems(in: value).map { "\(name): \($0)" }
        }
        let declared = route.answers.filter { $0.status == response.status }
        if declared.isEmpty && response.status >= 400 { return json(.error) }
        guard !declared.isEmpty else { return ["\(name): the status is not declared"] }
        var found: [String] = []
        for answer in declared {
            let problems: [String]
            switch answer.content {
            case let .json(schema): problems = json(schema)
            case let .file(type): problems = mediaType == type ? [] : ["\(name): content type \(mediaType)"]
            case .none: problems = response.body.isEmpty ? [] : ["\(name): a body where none is declared"]
            }
            if problems.isEmpty { return [] }
            found += problems
        }
        return found
    }

    private static func matches(_ pattern: String, _ path: String) -> Bool {
        let expected = pattern.split(separator: "/")
        let given = path.split(separator: "/")
        return expected.count == given.count
            && zip(expected, given).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }
}
