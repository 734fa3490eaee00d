@testable import BackOffice
@testable import CoreStorage
@testable import DemoSeed
@testable import WebUI
import Foundation
import HTTP
import PorteroModel
import Testing

@Suite struct CSVReaderTests {
    @Test func quotedFieldsDoubledQuotesNewlinesAndLineNumbers() throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\nplain,,last\n"
        let records = try CSVReader.records([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(
            records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["plain", "", "last"]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test func latin1AndBrokenQuotesAreRefusedWithTheLine() throws {
        #expect(throws: CSVReader.Failure(line: 2, problem: "the file is not UTF-8 text; save it as \"CSV UTF-8\"")) {
            try CSVReader.records(Array("a,b\n".utf8) + [0x4D, 0x75, 0xF1, 0x6F, 0x7A] + Array("\n".utf8))
        }
        #expect(throws: CSVReader.Failure.self) { try CSVReader.records(Array("a,\"open\n".utf8)) }
        #expect(throws: CSVReader.Failure.self) { try CSVReader.records(Array("a,b\"c\n".utf8)) }
    }

    @Test func exportsRoundTripThroughTheReaderAndNeutraliseFormulas() throws {
        let table = TableExport(
            header: ["name", "note"], rows: [["Muñoz, José", "=HYPERLINK(\"x\")"], ["Ana", "línea\nnueva"]])
        let records = try CSVReader.records(table.csv())
        #expect(
            records.map(\.fields) == [
                ["name", "note"], ["Muñoz, José", "'=HYPERLINK(\"x\")"], ["Ana", "línea\nnueva"],
            ])
        let xlsx = table.xlsx(sheetName: "customers")
        // A ZIP: local header first, end-of-central-directory record last, CRCs right.
        #expect(Array(xlsx.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
        #expect(Array(xlsx.suffix(22).prefix(4)) == [0x50, 0x4B, 0x05, 0x06])
        #expect(ZipWriter.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct UserImportTests {
    func importCSV(_ fixture: APIFixture, _ csv: String, as user: Caller, dryRun: Bool = false) throws -> (
        Int, [String: Any]
    ) {
        var text =
            "POST /api/v1/users/import\(dryRun ? "?dryRun=true" : "") HTTP/1.1\r\nHost: core\r\n"
            + "Cookie: portero_session=\(user.cookie)\r\nX-CSRF-Token: \(user.csrf)\r\n"
        text += "Content-Type: text/csv\r\nContent-Length: \(csv.utf8.count)\r\n\r\n" + csv
        let router = fixture.router
        var decoder = HTTPRequestDecoder(limits: HTTPLimits(), bodyLimit: { router.bodyLimit(method: $0, path: $1) })
        decoder.append(Array(text.utf8))
        let response = fixture.router.respond(to: try #require(try decoder.next()))
        return (response.status, try object(response))
    }

    @Test func aFileWithOneBadRowImportsNothingAndNamesEveryBadLine() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        var csv = "username,email,name,paternalSurname,branch,birthDate,card\n"
        for index in 1...2_000 {
            csv +=
                "socio\(index),socio\(index)@correo.mx,Socio,Número \(index),Centro,"
                + "1990-01-0\(index % 9 + 1),\(100_000 + index)\n"
        }
        // Line 2002: a date that does not exist; line 2003: a duplicate username; 2004: another branch.
        csv += "malo1,malo1@correo.mx,Malo,Uno,Centro,1990-02-30,\n"
        csv += "socio5,otro@correo.mx,Repetido,Dos,Centro,,\n"
        csv += "ajeno,ajeno@correo.mx,Ajeno,Tres,Norte,,\n"
        let (status, answer) = try importCSV(fixture, csv, as: reception)
        #expect(status == 422)
        let rejected = try #require(answer["rejected"] as? [[String: Any]])
        #expect(rejected.compactMap { $0["line"] as? Int } == [2002, 2003, 2004])
        #expect(rejected.compactMap { $0["field"] as? String } == ["birthDate", "username", "branch"])
        #expect(answer["imported"] as? Int == 0)
        #expect(
            try fixture.api.withDatabase {
                try $0.db.scalar("SELECT count(*) FROM users WHERE username LIKE 'socio%'", as: Int.self)
            } == 0)
        #expect(try fixture.api.withDatabase { try $0.db.scalar("SELECT count(*) FROM cards", as: Int.self) } == 0)
    }

    @Test func aGoodFileImportsEveryRowInOneGoAndADryRunNone() throws {
        let fixture = try APIFixture()
        let reception = try fixture.signIn(.reception, username: "recepcion")
        let csv =
            "username,email,name,paternalSurname,maternalSurname,branch,gender,followUp,card\n"
            + "lucia,lucia@correo.mx,Lucía,Núñez,Peña,Centro,female,sí,5551234\n"
            + "\"pedro\",pedro@correo.mx,\"Pedro, Jr.\",Gómez,,\(fixture.own),male,no,\n"
        let (dryStatus, dry) = try importCSV(fixture, csv, as: reception, dryRun: true)
        #expect(dryStatus == 200 && dry["checked"] as? Int == 2 && dry["imported"] as? Int == 0)
        #expect(
            try fixture.api.withDatabase {
                try $0.db.scalar("SELECT count(*) FROM users WHERE username IN ('lucia', 'pedro')", as: Int.self)
            } == 0)
        let (status, answer) = try importCSV(fixture, csv, as: reception)
        #expect(status == 201 && answer["imported"] as? Int == 2)
        let found = try objects(try fixture.get("/api/v1/users?q=5551234", as: reception))
        #expect(found.first?["username"] as? String == "lucia" && found.first?["followUp"] as? Bool == true)
        let (badStatus, bad) = try importCSV(fixture, "username,email,nombre\n", as: reception)
        #expect(badStatus == 422 && ((bad["rejected"] as? [[String: Any]])?.first?["field"] as? String) == "nombre")
    }
}
