@testable import BackOffice
import Foundation
import Service
import Testing

@Suite struct OpenAPISchemaTests {
    func value(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    @Test func aMatchingValueHasNoProblems() throws {
        let schema = Schema.object(
            ["id": .id, "tags": .array(.text), "day": .date], optional: ["note": .nullable(.text), "n": .count])
        #expect(schema.problems(in: try value(#"{"id": 3, "tags": ["a"], "day": "2026-12-03"}"#)).isEmpty)
        #expect(schema.problems(in: try value(#"{"id": 3, "tags": [], "day": "x", "note": null}"#)).isEmpty)
    }

    @Test func eachMismatchIsNamedWithItsPath() throws {
        let schema = Schema.object(
            ["id": .id, "tags": .array(.text), "kind": .string(values: ["a", "b"])], optional: ["n": .count])
        let problems = schema.problems(in: try value(#"{"id": 0, "tags": [1], "kind": "c", "n": -1, "extra": true}"#))
        #expect(
            problems == [
                "$.id: 0 is below 1", "$.tags[0]: integer(1) is not a string", #"$.kind: "c" is not one of ["a", "b"]"#,
                "$.n: -1 is below 0", "$.extra is not in the schema",
            ])
        #expect(schema.problems(in: try value(#"{"tags": []}"#)) == ["$.id is missing", "$.kind is missing"])
        #expect(Schema.boolean.problems(in: try value("1")) == ["$: integer(1) is not a boolean"])
    }

    @Test func namedSchemasBecomeComponentsReferredToOnce() throws {
        var components: [String: Any] = [:]
        let list = Schema.array(.user).document(components: &components)
        let items = try #require(list["items"] as? [String: Any])
        #expect(items["$ref"] as? String == "#/components/schemas/User")
        // The user names the card schema inside it: both are components.
        #expect(Set(components.keys) == ["User", "Card"])
        let user = try #require(components["User"] as? [String: Any])
        #expect(user["additionalProperties"] as? Bool == false)
        #expect((user["required"] as? [String])?.contains("username") == true)
        #expect((user["required"] as? [String])?.contains("cards") == false)
    }

    /// Every operation declares its success answer, with a body schema unless it has none, and
    /// every `$ref` in the document names a component it holds.
    @Test func everyOperationDescribesItsAnswers() throws {
        let fixture = try APIFixture()
        let response = try fixture.send("GET", "/api/v1/openapi.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        let components = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = try #require(operation["responses"] as? [String: [String: Any]])
                let successes = responses.filter { $0.key.hasPrefix("2") }
                #expect(!successes.isEmpty, "\(method) \(path) declares no success")
                for (status, answer) in successes where status != "204" {
                    #expect(answer["content"] != nil, "\(method) \(path) \(status) has no content")
                }
            }
        }
        let text = String(decoding: response.body, as: UTF8.self)
        for match in text.matches(of: /"#\/components\/schemas\/([A-Za-z]+)"/) {
            #expect(components[String(match.1)] != nil, "\(match.1) is referred to but not defined")
        }
        #expect(components.count >= 20)
    }
}
