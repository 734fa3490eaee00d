@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

/// Answers that write their own JSON (`JSONObjectWritable`) must give the bytes their
/// `Encodable` conformance gives, and the ones Foundation's sorted-keys encoder gives.
@Suite struct AnswerEncodingTests {
    static func accounts() -> [Account] {
        [
            Account(
                id: UserID(1), username: "root", email: "root@club.mx", active: true,
                roles: RoleSet([.superAdministrator]), branches: [],
                clave: 1, name: "Root", paternalSurname: "", maternalSurname: ""),
            Account(
                id: UserID(42), username: "ana.lópez", email: "ana@club.mx", active: false,
                roles: RoleSet([.reception, .branchManager, .client]),
                branches: [BranchID(3), BranchID(1), BranchID(2)], clave: 9_007_199_254_740_993,
                name: "Ana \"la\" \\ Ñ\u{1}\n\t",
                paternalSurname: "López/García", maternalSurname: "😀 </script>"),
            Account(
                id: UserID(-5), username: "", email: "", active: true, roles: RoleSet(),
                branches: [BranchID(Int64.max)],
                clave: Int64.min, name: "\u{7F}\u{0}", paternalSurname: "\u{2028}", maternalSurname: "x"),
        ]
    }

    @Test func theAccountWrittenDirectlyIsWhatItsEncodableConformanceWrites() throws {
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for account in Self.accounts() {
            let view = AccountView(account)
            let direct = try JSONBytesEncoder.encode(view)
            #expect(direct == (try JSONBytesEncoder.encodeGenerically(view)))
            #expect(
                String(decoding: direct, as: UTF8.self) == String(decoding: try foundation.encode(view), as: UTF8.self))
            // Nested in other answers too (the login answer, lists).
            struct Login: Encodable {
                let csrfToken: String
                let user: AccountView
            }
            #expect(
                try JSONBytesEncoder.encode(Login(csrfToken: "t", user: view))
                    == (try JSONBytesEncoder.encodeGenerically(Login(csrfToken: "t", user: view))))
            #expect(try JSONBytesEncoder.encode([view, view]) == Array(try foundation.encode([view, view])))
        }
    }
}
