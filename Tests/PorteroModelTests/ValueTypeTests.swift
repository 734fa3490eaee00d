import Foundation
import PorteroModel
import Testing

@Suite struct CardNumberTests {
    @Test(arguments: [
        ("12345678", UInt64(12_345_678)), ("0012345678", UInt64(12_345_678)), (" 42 ", UInt64(42)),
        ("0xBC6146", UInt64(0xBC6146)),
        ("0Xff", UInt64(255)), ("188,24910", UInt64(188 << 16 | 24910)), ("188:24910", UInt64(188 << 16 | 24910)),
        ("18446744073709551615", UInt64.max),
    ])
    func parsesEveryTextForm(text: String, value: UInt64) throws {
        #expect(try CardNumber(parsing: text).rawValue == value)
    }

    @Test(arguments: ["", "abc", "0x", "12 34", "-5", "256,1", "1,65536", "18446744073709551616", "１２３"])
    func rejectsWhatIsNotACardNumber(text: String) {
        #expect(throws: CardNumber.ParseError.self) { try CardNumber(parsing: text) }
    }

    @Test func em4100KeepsTheLow32BitsPrintedOnTheCard() {
        // Tag 0x1A 00BC6146: the card reads 0012345670 and 188,24902 on its face.
        let card = CardNumber(em4100: [0x1A, 0x00, 0xBC, 0x61, 0x46])
        #expect(card?.rawValue == 0x00BC_6146)
        #expect(card?.printed == "0012345670")
        #expect(CardNumber(em4100: [1, 2, 3]) == nil)
    }

    @Test func wiegandFacilityAndCardCombine() {
        // H10301 vector: facility 123, card 4567.
        #expect(CardNumber(facility: 123, card: 4567, cardBits: 16).rawValue == 123 * 65536 + 4567)
        #expect(CardNumber(facility: 123, card: 4567, cardBits: 16) == (try? CardNumber(parsing: "123,4567")))
    }
}

@Suite struct EventIDTests {
    @Test func version7LayoutCarriesTheMillisecondTime() {
        var generator = SplitMix64(seed: 1)
        let time = utc(2024, 6, 3, 16, 0)
        let id = EventID(time: time, using: &generator)
        #expect(id.high >> 16 == UInt64(time.milliseconds))
        #expect((id.high >> 12) & 0xF == 7)
        #expect(id.low >> 62 == 0b10)
    }

    @Test func stringAndBytesRoundTrip() throws {
        let id = EventID(time: utc(2024, 6, 3))
        #expect(EventID(string: id.description) == id)
        #expect(EventID(bytes: id.bytes) == id)
        #expect(id.description.count == 36)
        #expect(EventID(string: "not-a-uuid") == nil)
        let json = try JSONEncoder().encode([id])
        #expect(try JSONDecoder().decode([EventID].self, from: json) == [id])
    }

    @Test func laterTimesSortLater() {
        #expect(EventID(time: utc(2024, 6, 3)) < EventID(time: utc(2024, 6, 3, 0, 0, 1)))
    }
}

@Suite struct PrivilegeMatrixTests {
    @Test(arguments: [
        (Privilege.myProfile, Role.client, true), (.home, .client, false), (.home, .reception, true),
        (.configuration, .administrator, true), (.configuration, .branchManager, false),
        (.posProducts, .branchManager, true),
        (.posProducts, .reception, false), (.attendance, .reception, true), (.cashCut, .reception, false),
        (.reports, .branchManager, true), (.doorCommands, .branchManager, true), (.doorCommands, .reception, false),
    ])
    func seed003Matrix(privilege: Privilege, role: Role, allowed: Bool) {
        #expect(PrivilegeMatrix.seed003.allows(privilege, for: RoleSet([role])) == allowed)
    }

    @Test func everyPrivilegeIsInTheMatrixAndSuperAdministratorHasAll() {
        for privilege in Privilege.allCases {
            #expect(PrivilegeMatrix.seed003.allows(privilege, for: RoleSet([.superAdministrator])))
        }
        #expect(!PrivilegeMatrix.seed003.allows(.configuration, for: RoleSet()))
    }

    @Test func severalRolesUnite() {
        #expect(PrivilegeMatrix.seed003.allows(.cashCut, for: RoleSet([.reception, .branchManager])))
    }
}

@Suite struct PasswordPolicyTests {
    @Test func seed003RuleNeedsUpperLowerDigitAndSixCharacters() {
        let policy = PasswordPolicy()
        #expect(policy.problems(with: "Abc123").isEmpty)
        #expect(policy.problems(with: "abc123") == ["an upper-case letter"])
        #expect(policy.problems(with: "Ab1") == ["at least 6 characters"])
        #expect(PasswordPolicy(minimumLength: 12).problems(with: "Abc123") == ["at least 12 characters"])
        #expect(PasswordPolicy(minimumLength: 3).minimumLength == 6)
    }
}

@Suite struct CodableTests {
    @Test func planRoundTripsThroughJSON() throws {
        let plan = Plan(
            id: PlanID(3), name: "Matutino", price: Money(minorUnits: 39_900, currency: "MXN"), duration: .months(1),
            branches: .only([BranchID(1), BranchID(2)]), windows: try WeeklySchedule(parsing: "mon-fri 06:00-12:00"),
            visitLimit: VisitLimit(perWeek: 3), features: ["alberca"])
        let decoded = try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan))
        #expect(decoded == plan)
    }

    @Test func malformedScheduleInJSONNamesTheProblem() {
        let json = Data(#"["mon 25:00-26:00"]"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([WeeklySchedule].self, from: json) }
    }
}

/// The API shows a plan's duration in a designed shape; plan versions, replicas and the sync feed
/// keep the stored shape, which branch controllers not yet upgraded read, and both shapes decode.
@Suite struct PlanJSONTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func theAPIShowsDurationsAsUnitAndCount() throws {
        #expect(try Self.json(PlanDurationView(.months(1))) == #"{"count":1,"unit":"months"}"#)
        #expect(try Self.json(PlanDurationView(.days(30))) == #"{"count":30,"unit":"days"}"#)
    }

    @Test func theStoredAndSyncedShapeIsWhatEarlierControllersRead() throws {
        #expect(try Self.json(PlanDuration.months(1)) == #"{"months":{"_0":1}}"#)
        #expect(try Self.json(BranchCoverage.allBranches) == #"{"allBranches":{}}"#)
        #expect(try Self.json(BranchCoverage.only([BranchID(2), BranchID(1)])) == #"{"only":{"_0":[1,2]}}"#)
        for duration in [PlanDuration.months(3), .days(10)] {
            #expect(try JSONDecoder().decode(PlanDuration.self, from: Data(try Self.json(duration).utf8)) == duration)
        }
    }

    @Test func bothShapesDecode() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode(PlanDuration.self, from: Data(#"{"months":{"_0":1}}"#.utf8)) == .months(1))
        #expect(try decoder.decode(PlanDuration.self, from: Data(#"{"unit":"days","count":7}"#.utf8)) == .days(7))
        #expect(try decoder.decode(BranchCoverage.self, from: Data(#"{"scope":"all"}"#.utf8)) == .allBranches)
        #expect(
            try decoder.decode(BranchCoverage.self, from: Data(#"{"scope":"only","branches":[3]}"#.utf8))
                == .only([BranchID(3)]))
        #expect(throws: DecodingError.self) { try decoder.decode(PlanDuration.self, from: Data(#"{"weeks":2}"#.utf8)) }
    }
}
