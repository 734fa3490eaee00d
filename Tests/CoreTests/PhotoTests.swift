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
        #expect(try f.post("/api/v1/users/\(socia)/photo/approve", "{}", as: reception).status == 204)
        let approved = try f.get("/api/v1/users/\(socia)/photo", as: reception)
        #expect(approved.status == 200 && approved.body == Self.png(text: nil))
        #expect(try f.post("/api/v1/users/\(socia)/photo/approve", "{}", as: reception).status == 404, "none waits")
        #expect(try f.send("DELETE", path, cookie: reception.cookie, csrf: reception.csrf).status == 204)
        #expect(try f.get(path, as: reception).status == 404)

        let rows = try f.api.withDatabase { try $0.audit.recent(limit: 20) }
        let photo = try #require(rows.first { $0.action == "user.photo" })
        #expect(photo.changes.contains("sha256") && !photo.changes.contains("data"))
        #expect(Set(rows.map(\.action)).isSuperset(of: ["me.photo", "user.photo.approve", "user.photo.remove"]))
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
    }
}
