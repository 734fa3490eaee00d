@testable import BackOffice
@testable import CoreStorage
import Foundation
import HTTP
import PorteroModel
import Testing

/// Members' photos: metadata removed, bad images refused beside the field, the desk's rights by
/// branch, a member's own photo waiting for approval, and the pages that show them.
@Suite struct PhotoTests {
    /// A JPEG's frame: start, a JFIF header, an EXIF block naming a place, the scan, the end.
    static let jpeg: [UInt8] = {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        return [0xFF, 0xD8] + segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
            + segment(0xE1, Array("Exif\0\0GPS 19.4326 -99.1332".utf8)) + segment(0xFE, Array("camara".utf8))
            + segment(0xDA, [1, 1, 0, 0, 63, 0]) + [0x12, 0x34, 0x56] + [0xFF, 0xD9]
    }()

    static func png(text: String?, breakChecksum: Bool = false) -> [UInt8] {
        func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(kind.utf8) + data
            var crc = MemberPhoto.crc32(body[...])
            if breakChecksum && kind == "IDAT" { crc ^= 1 }
            let length = UInt32(data.count)
            return [24, 16, 8, 0].map { UInt8((length >> $0) & 0xFF) } + body
                + [24, 16, 8, 0].map { UInt8((crc >> $0) & 0xFF) }
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
            + (text.map { chunk("tEXt", Array("Comment\0\($0)".utf8)) } ?? [])
            + chunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01])
            + chunk("IEND", [])
    }

    static func body(_ type: String, _ bytes: [UInt8]) -> String {
        #"{"type": "\#(type)", "data": "\#(Data(bytes).base64EncodedString())"}"#
    }

    /// A progressive JPEG as phones write them: an ICC profile, an MPF index, two scans with an XMP
    /// block between them, then a second image (the preview) with its own EXIF after the end.
    @Test func metadataBetweenScansAndAfterTheEndIsRemovedAndTheColourProfileKept() throws {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        let scan = segment(0xDA, [1, 1, 0, 0, 63, 0])
        let icc = segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 1, 9, 9])
        let adobe = segment(0xEE, Array("Adobe".utf8) + [0, 100, 0, 0, 0, 0, 1])
        let picture =
            [0xFF, 0xD8] + icc + adobe + segment(0xE2, Array("MPF\0".utf8) + [7, 7])
            // Entropy data with a stuffed 0xFF and a restart marker inside.
            + scan + [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]
            + segment(0xE1, Array("http://ns.adobe.com/xap/1.0/ GPS".utf8)) + segment(0xC4, [0, 1, 2])
            + scan + [0x78, 0x9A] + [0xFF, 0xD9]
        let preview = Self.jpeg
        let stripped = try MemberPhoto(type: "image/jpeg", bytes: picture + preview)
        let expected =
            [0xFF, 0xD8] + icc + adobe + scan + [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56] + segment(0xC4, [0, 1, 2])
            + scan + [0x78, 0x9A] + [0xFF, 0xD9]
        #expect(stripped.bytes == expected, "the profile, both scans and the tables stay; XMP, MPF, the preview go")
        #expect(!String(decoding: stripped.bytes, as: UTF8.self).contains("GPS"))
        // A vendor's trailer after the end is cut, not refused; an image without its end is refused.
        let trailer = try MemberPhoto(type: "image/jpeg", bytes: Self.jpeg + Array("SEFT trailer".utf8))
        #expect(trailer.bytes == (try MemberPhoto(type: "image/jpeg", bytes: Self.jpeg)).bytes)
        #expect(throws: AccountError.self) { try MemberPhoto(type: "image/jpeg", bytes: Array(picture.dropLast(2))) }
        #expect(throws: AccountError.self, "no scan") {
            try MemberPhoto(type: "image/jpeg", bytes: [0xFF, 0xD8] + icc + [0xFF, 0xD9])
        }
    }

    @Test func metadataIsRemovedAndBrokenImagesAreRefused() throws {
        let stripped = try MemberPhoto(type: "image/jpeg", bytes: Self.jpeg)
        #expect(stripped.bytes.starts(with: [0xFF, 0xD8, 0xFF, 0xE0]) && stripped.bytes.suffix(2) == [0xFF, 0xD9])
        let text = String(decoding: stripped.bytes, as: UTF8.self)
        #expect(!text.contains("GPS") && !text.contains("camara") && text.contains("JFIF"))
        let png = try MemberPhoto(type: "image/png", bytes: Self.png(text: "Tomada en casa"))
        #expect(png.bytes == Self.png(text: nil), "the text chunk goes, the rest stays byte for byte")
        for (type, bytes) in [
            ("image/png", Self.png(text: nil, breakChecksum: true)),
            ("image/png", Array(Self.png(text: nil).dropLast())),
            ("image/jpeg", Array(Self.jpeg.prefix(20))), ("image/jpeg", Self.png(text: nil)),
            ("image/gif", Array("GIF89a".utf8)), ("image/jpeg", [UInt8](repeating: 0, count: 600_000)),
        ] {
            #expect(throws: AccountError.self, "\(type) \(bytes.count) bytes") {
                try MemberPhoto(type: type, bytes: bytes)
            }
        }
    }

    @Test func theDeskTakesPhotosOfItsMembersAndApprovesTheOnesMembersSend() throws {
        let f = try APIFixture()
        let reception = try f.signIn(.reception, username: "recepcion")
        let north = try f.signIn(.reception, username: "norte", branches: [f.other])
        let ana = try f.member("ana", as: reception)
        let path = "/api/v1/users/\(ana)/photo"
        #expect(try f.get(path, as: reception).status == 404, "no photo yet")
        let saved = try f.send(
            "PUT", path, body: Self.body("image/jpeg", Self.jpeg), cookie: reception.cookie,
            csrf: reception.csrf)
        #expect(saved.status == 200, "\(String(decoding: saved.body, as: UTF8.self))")
        let shown = try f.get(path, as: reception)
        #expect(shown.status == 200 && shown.header("Content-Type") == "image/jpeg")
        #expect(!String(decoding: shown.body, as: UTF8.self).contains("GPS"), "stored without its EXIF")
        #expect(try f.get(path, as: north).status == 404, "another branch's member")
        let refused = try f.send(
            "PUT", path, body: Self.body("image/png", Self.png(text: nil, breakChecksum: true)),
            cookie: reception.cookie, csrf: reception.csrf)
        #expect(refused.status == 400 && String(decoding: refused.body, as: UTF8.self).contains("data"))

        // Ana sends her own: it waits, the desk sees it waiting, approves it, and it is shown.
        let me = try f.signIn(.client, username: "socia")
        let socia = me.id.rawValue
        let own = try f.send(
            "PUT", "/api/v1/me/photo", body: Self.body("image/png", Self.png(text: "selfie")), cookie: me.cookie,
            csrf: me.csrf)
        let ownAnswer = try object(own)
        #expect(own.status == 200 && ownAnswer["state"] as? String == "pending")
        #expect(try f.get("/api/v1/me/photo?state=pending", as: me).status == 200)
        #expect(try f.get("/api/v1/users/\(socia)/photo", as: reception).status == 404, "not shown before approval")
        let waiting = try objects(try f.get("/api/v1/photos/pending", as: reception))
        #expect(waiting.map { $0["user"] as? Int64 } == [socia])
        #expect(
            try f.send("PUT", path, body: Self.body("image/jpeg", Self.jpeg), cookie: me.cookie, csrf: me.csrf)
                .status == 403, "a member never sets another's photo")
        // Staff approve the picture they saw, named by its SHA-256: another one sent since is not approved.
        let seen = MemberPhoto(stored: "image/png", bytes: Self.png(text: nil)).sha256Hex
        let other = MemberPhoto(stored: "image/jpeg", bytes: Self.jpeg).sha256Hex
        let approve = "/api/v1/users/\(socia)/photo/approve"
        #expect(try f.post(approve, "{}", as: reception).status == 400, "which photo is said")
        #expect(
            try f.post(approve, #"{"sha256": "\#(seen.uppercased())"}"#, as: reception).status == 400,
            "lowercase, as the schema says")
        #expect(try f.get("/api/v1/users/\(socia)/photo?state=pending&sha256=\(seen)", as: reception).status == 200)
        #expect(try f.get("/api/v1/users/\(socia)/photo?state=pending&sha256=\(other)", as: reception).status == 404)
        let replaced = try f.post(approve, #"{"sha256": "\#(other)"}"#, as: reception)
        #expect(replaced.status == 409 && String(decoding: replaced.body, as: UTF8.self).contains("another photo"))
        #expect(try f.get("/api/v1/users/\(socia)/photo", as: reception).status == 404, "still not shown")
        #expect(try f.post(approve, #"{"sha256": "\#(seen)"}"#, as: reception).status == 204)
        let approved = try f.get("/api/v1/users/\(socia)/photo", as: reception)
        #expect(approved.status == 200 && approved.body == Self.png(text: nil))
        #expect(try f.post(approve, #"{"sha256": "\#(seen)"}"#, as: reception).status == 404, "none waits")
        #expect(try f.send("DELETE", path, cookie: reception.cookie, csrf: reception.csrf).status == 204)
        #expect(try f.get(path, as: reception).status == 404)

        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 20) }
        let photo = try #require(rows.first { $0.action == "user.photo" })
        #expect(photo.changes.contains("sha256") && !photo.changes.contains("data"))
        #expect(Set(rows.map(\.action)).isSuperset(of: ["me.photo", "user.photo.approve", "user.photo.remove"]))
    }

    /// A member of one branch enters at another: that branch's desk, which may not open the member's
    /// page, sees their face on Live through the attendance route, and only once they entered there.
    @Test func theLiveViewShowsTheFaceOfWhoEnteredToADeskOfThatBranch() throws {
        let f = try APIFixture()
        let root = try f.signIn(.superAdministrator, username: "root")
        let north = try f.signIn(.reception, username: "norte", branches: [f.other])
        let ana = try f.member("ana", as: root)
        let plan = try f.plan("Mensual", as: root)
        let sale = try ReportRouteTests.sell(f, #"{"user": \#(ana), "plan": \#(plan), "branch": \#(f.own)}"#, as: root)
        #expect(
            try f.send(
                "PUT", "/api/v1/users/\(ana)/photo", body: Self.body("image/jpeg", Self.jpeg), cookie: root.cookie,
                csrf: root.csrf
            ).status == 200)
        let face = "/api/v1/attendance/photos/\(ana)"
        #expect(try f.get("/api/v1/users/\(ana)/photo", as: north).status == 404, "not a member of the north")
        #expect(try f.get(face, as: north).status == 404, "she never entered in the north")
        let (token, _) = try f.enrolDevice(as: root, at: f.other)
        let entered = ReportRouteTests.entry(
            f, user: ana, subscription: sale, branch: f.other, at: Timestamp(seconds: 1_800_000_000), seed: 9)
        #expect(try f.upload([entered], token: token).status == 200)
        let shown = try f.get(face, as: north)
        #expect(shown.status == 200 && shown.header("Content-Type") == "image/jpeg")
        let live = html(try f.page("GET", "/live", cookies: ["portero_session=\(north.cookie)"]))
        #expect(live.contains("src=\"\(face)\""), "the live view reads the face through the attendance route")
        let member = try f.signIn(.client, username: "socio")
        #expect(try f.get(face, as: member).status == 403, "a member is no desk")
    }

    @Test func thePagesShowThePhotoAndTakeItFromTheFileField() throws {
        let f = try APIFixture()
        let reception = try f.signIn(.reception, username: "recepcion")
        let ana = try f.member("ana", as: reception)
        let cookie = "portero_session=\(reception.cookie)"
        let before = html(try f.page("GET", "/members/\(ana)", cookies: [cookie]))
        #expect(before.contains("action=\"/members/\(ana)/photo\"") && before.contains("capture=\"user\""))
        #expect(!before.contains("src=\"/api/v1/users/\(ana)/photo\""))
        let wrong = try f.upload(
            "/members/\(ana)/photo", field: "photo", cookie: reception.cookie, csrf: reception.csrf,
            type: "image/gif", bytes: Array("GIF89a".utf8))
        #expect(wrong.status == 400 && html(wrong).contains("role=\"alert\""))
        let sent = try f.upload(
            "/members/\(ana)/photo", field: "photo", cookie: reception.cookie, csrf: reception.csrf,
            type: "image/jpeg", bytes: Self.jpeg)
        #expect(sent.status == 303)
        let after = html(try f.page("GET", "/members/\(ana)", cookies: [cookie]))
        #expect(after.contains("<img class=\"avatar big photo\" src=\"/api/v1/users/\(ana)/photo\""))
        let forged = try f.upload(
            "/members/\(ana)/photo", field: "photo", cookie: reception.cookie, csrf: "x", type: "image/jpeg",
            bytes: Self.jpeg)
        #expect(forged.status == 403)
        // A member's Settings page offers their own photo, in English too.
        let member = try f.signIn(.client, username: "socio")
        let settings = html(
            try f.page(
                "GET", "/settings", cookies: ["portero_session=\(member.cookie)"], headers: ["Accept-Language: en"]))
        #expect(settings.contains("My photo") && settings.contains("action=\"/settings/photo\""))
        let mine = try f.upload(
            "/settings/photo", field: "photo", cookie: member.cookie, csrf: member.csrf, type: "image/png",
            bytes: Self.png(text: nil))
        #expect(mine.status == 303)
        let waiting = html(try f.page("GET", "/settings", cookies: ["portero_session=\(member.cookie)"]))
        #expect(waiting.contains("Tu nueva foto espera"))
        // The desk sees it on the member's page, named by its SHA-256, and approves that one.
        let seen = MemberPhoto(stored: "image/png", bytes: Self.png(text: nil)).sha256Hex
        let page = html(try f.page("GET", "/members/\(member.id)", cookies: [cookie]))
        #expect(page.contains("photo?state=pending&amp;sha256=\(seen)") && page.contains("value=\"\(seen)\""))
        // The member sends another meanwhile (a JPEG named .png: the bytes say what it is).
        let swapped = try f.upload(
            "/settings/photo", field: "photo", cookie: member.cookie, csrf: member.csrf, type: "image/png",
            bytes: Self.jpeg)
        #expect(swapped.status == 303)
        let stale = try f.page(
            "POST", "/members/\(member.id)/photo/approve", form: [("csrf", reception.csrf), ("sha256", seen)],
            cookies: [cookie])
        #expect(stale.status == 409 && html(stale).contains("role=\"alert\""), "not the photo the desk saw")
        let fresh = MemberPhoto(
            stored: "image/jpeg", bytes: try MemberPhoto(type: "image/jpeg", bytes: Self.jpeg).bytes)
        let approved = try f.page(
            "POST", "/members/\(member.id)/photo/approve",
            form: [("csrf", reception.csrf), ("sha256", fresh.sha256Hex)],
            cookies: [cookie])
        #expect(
            approved.status == 303 && approved.header("Location") == "/members/\(member.id)?done=photo-approve#photo")
        let told = html(
            try f.page(
                "GET", "/members/\(member.id)?done=photo-approve", cookies: [cookie], headers: ["Accept-Language: en"]))
        #expect(told.contains("Photo approved: the desk shows it now."))
    }
}
