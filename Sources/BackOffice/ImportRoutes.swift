import CoreStorage
import Foundation
import HTTP
import PorteroModel
import SQLite

/// One refused row of an import.
package struct ImportRejection: Encodable {
    package let line: Int
    package let field: String
    package let problem: String
}

extension CoreAPI {
    package static let importRequired = ["username", "email", "name", "paternalSurname", "branch"]
    package static let importOptional = [
        "maternalSurname", "clave", "gender", "birthDate", "joinDate", "phone", "alternateEmail", "notes", "followUp",
        "card", "agreement",
    ]

    /// `POST /api/v1/users/import`: members from a CSV file, all or nothing.
    package static func declareImportRoutes(_ table: inout RouteTable) {
        table.add(
            .post, "/api/v1/users/import", .privilege(.users),
            "Import members (role cliente) from CSV (UTF-8; header row with username, email, name, paternalSurname, "
                + "branch and optional profile columns); "
                + "every row is checked and nothing is imported unless all pass; dryRun=true only checks",
            query: [.boolean("dryRun")],
            answers: [
                .json(200, .importAnswer, "checked (dryRun)"), .json(201, .importAnswer, "imported"),
                .json(422, .importAnswer, "rejected: nothing imported"),
            ], bodyLimit: 16 << 20
        ) { request in
            let actor = try request.actor
            let dryRun = try request.queryFlag("dryRun") ?? false
            let records: [CSVReader.Record]
            do { records = try CSVReader.records(request.context.request.body) } catch let error as CSVReader.Failure {
                return .json(
                    ImportAnswer(
                        imported: 0, checked: 0, dryRun: dryRun,
                        rejected: [ImportRejection(line: error.line, field: "file", problem: error.problem)]),
                    status: 422)
            }
            guard let header = records.first else { return .error(400, "the file is empty; it needs a header row") }
            let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if let unknown = columns.first(where: { !importRequired.contains($0) && !importOptional.contains($0) }) {
                return .json(
                    ImportAnswer(
                        imported: 0, checked: 0, dryRun: dryRun,
                        rejected: [
                            ImportRejection(
                                line: header.line, field: unknown,
                                problem:
                                    "unknown column "
                                    + "(known: \((importRequired + importOptional).joined(separator: ", ")))"
                            )
                        ]), status: 422)
            }
            if let missing = importRequired.first(where: { !columns.contains($0) }) {
                return .json(
                    ImportAnswer(
                        imported: 0, checked: 0, dryRun: dryRun,
                        rejected: [
                            ImportRejection(line: header.line, field: missing, problem: "required column missing")
                        ]), status: 422)
            }
            guard Set(columns).count == columns.count else {
                return .error(400, "line \(header.line): a column appears twice")
            }
            let branches = try request.database.accounts.branches()
            let agreements = try request.database.members.agreements()
            var rejected: [ImportRejection] = []
            var imported: [Int64] = []
            var importedAt = Set<BranchID>()
            let database = request.database
            let rows = records.dropFirst()
            guard rows.count <= 100_000 else { return .error(413, "at most 100,000 rows per import") }
            // One transaction: every row in a savepoint of its own so a bad row is reported and the
            // rest still checked; then all is committed, or all rolled back.
            do {
                try database.write {
                    for record in rows {
                        guard record.fields.count == columns.count else {
                            rejected.append(
                                ImportRejection(
                                    line: record.line, field: "row",
                                    problem: "has \(record.fields.count) fields; the header has \(columns.count)"))
                            continue
                        }
                        var values: [String: String] = [:]
                        for (column, value) in zip(columns, record.fields) {
                            values[column] = value.trimmingCharacters(in: .whitespaces)
                        }
                        do {
                            try database.db.savepoint {
                                let row = try importRow(
                                    values, actor: actor, branches: branches, agreements: agreements,
                                    request: request)
                                imported.append(row.id.rawValue)
                                importedAt.formUnion(row.branches)
                            }
                        } catch let error as AccountError {
                            rejected.append(
                                ImportRejection(line: record.line, field: error.field, problem: error.problem))
                        }
                    }
                    if !rejected.isEmpty || dryRun { throw ImportRollback() }
                    try request.audit(
                        "user.import", target: "users",
                        changes: ["count": imported.count, "first": imported.first ?? 0, "last": imported.last ?? 0],
                        concerning: importedAt)
                }
            } catch is ImportRollback {}
            let answer = ImportAnswer(
                imported: rejected.isEmpty && !dryRun ? imported.count : 0, checked: rows.count, dryRun: dryRun,
                rejected: rejected)
            return .json(answer, status: !rejected.isEmpty ? 422 : (dryRun ? 200 : 201))
        }
    }

    package struct ImportAnswer: Encodable {
        let imported: Int
        let checked: Int
        let dryRun: Bool
        let rejected: [ImportRejection]
    }

    package struct ImportRollback: Error {}

    /// Creates one row's member (in the caller's savepoint) and returns their account.
    package static func importRow(
        _ values: [String: String], actor: Account, branches: [Branch], agreements: [Agreement], request: APIRequest
    ) throws -> Account {
        let database = request.database
        let branchText = values["branch"] ?? ""
        guard
            let branch = branches.first(where: {
                String($0.id.rawValue) == branchText || $0.name.caseInsensitiveCompare(branchText) == .orderedSame
            })
        else {
            throw AccountError(field: "branch", problem: "no branch \"\(branchText)\" (give its id or name)")
        }
        guard actor.may(.users, at: branch.id) else {
            throw AccountError(field: "branch", problem: "users is not among your privileges at \(branch.name)")
        }
        let account = try database.accounts.createAccount(
            username: values["username"] ?? "", email: values["email"] ?? "", password: nil, name: values["name"] ?? "",
            paternalSurname: values["paternalSurname"] ?? "", roles: RoleSet([.client]), branches: [branch.id],
            now: request.now)
        var profile = ProfileFields()
        func nonEmpty(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }
        profile.maternalSurname = nonEmpty("maternalSurname")
        if let text = nonEmpty("clave") {
            guard let clave = Int64(text) else { throw AccountError(field: "clave", problem: "must be a whole number") }
            profile.clave = clave
        }
        if let text = nonEmpty("gender") {
            guard let gender = Gender(rawValue: text.lowercased()) else {
                throw AccountError(field: "gender", problem: "female, male, other or unspecified")
            }
            profile.gender = gender
        }
        if let text = nonEmpty("birthDate") {
            guard let day = LocalDay(iso: text) else {
                throw AccountError(field: "birthDate", problem: "a date as YYYY-MM-DD")
            }
            profile.birthDate = .some(day)
        }
        if let text = nonEmpty("joinDate") {
            guard let day = LocalDay(iso: text) else {
                throw AccountError(field: "joinDate", problem: "a date as YYYY-MM-DD")
            }
            profile.joinDate = day
        }
        profile.phone = nonEmpty("phone")
        profile.alternateEmail = nonEmpty("alternateEmail")
        profile.notes = nonEmpty("notes")
        if let text = nonEmpty("followUp") {
            guard ["true", "false", "1", "0", "yes", "no", "sí", "si"].contains(text.lowercased()) else {
                throw AccountError(field: "followUp", problem: "true or false")
            }
            profile.followUp = ["true", "1", "yes", "sí", "si"].contains(text.lowercased())
        }
        if let text = nonEmpty("agreement") {
            guard
                let agreement = agreements.first(where: {
                    String($0.id.rawValue) == text || $0.name.caseInsensitiveCompare(text) == .orderedSame
                })
            else {
                throw AccountError(field: "agreement", problem: "no agreement \"\(text)\"")
            }
            profile.agreementID = agreement.id.rawValue
        }
        try database.members.setProfile(account.id, profile)
        if let text = nonEmpty("card") {
            let number: CardNumber
            do { number = try CardNumber(parsing: text) } catch {
                throw AccountError(field: "card", problem: "\(error)")
            }
            do { _ = try database.members.addCard(account.id, number: number, now: request.now) } catch let error
                as AccountError
            {
                throw AccountError(field: "card", problem: error.problem)
            }
        }
        try database.members.recordChange("user", account.id.rawValue, now: request.now)
        try database.webhookEvent(
            "member", branches: [branch.id], data: ["user": account.id.rawValue, "change": "created"], now: request.now)
        return account
    }
}
