import Foundation
import SQLite
import Testing

/// `portero users photo` against a real portero-core: a JPEG saved without its EXIF, read back to a
/// file, a broken one refused, then removed.
@Suite(.serialized, .enabled(if: Built.directory != nil)) struct PhotoCLITests {
    @Test func aMembersPhotoIsSavedReadBackAndRemoved() throws {
        let core = try AdminCLITests.Core()
        try core.signInWithCentroAndAna()
        let exif = Array("Exif\0\0GPS".utf8)
        let jpeg: [UInt8] =
            [0xFF, 0xD8, 0xFF, 0xE1, 0, UInt8(exif.count + 2)] + exif + [0xFF, 0xDA, 0, 4, 1, 2, 0x55, 0xFF, 0xD9]
        let file = core.directory.appendingPathComponent("ana.jpg")
        try Data(jpeg).write(to: file)
        let saved = try core.portero(["users", "photo", "2", "--file", file.path])
        #expect(saved.status == 0 && saved.out.contains("image/jpeg"), "\(saved.out)\(saved.err)")
        let copy = core.directory.appendingPathComponent("copia.jpg").path
        #expect(try core.portero(["users", "photo", "2", "--save", copy]).status == 0)
        let stored = try Data(contentsOf: URL(fileURLWithPath: copy))
        #expect(Array(stored) == [0xFF, 0xD8, 0xFF, 0xDA, 0, 4, 1, 2, 0x55, 0xFF, 0xD9], "the EXIF block removed")
        try Data(jpeg.prefix(8)).write(to: file)
        let broken = try core.portero(["users", "photo", "2", "--file", file.path])
        #expect(broken.status != 0 && broken.err.contains("JPEG"), "\(broken.err)")
        #expect(try core.portero(["users", "photo", "2", "--remove"]).out.contains("removed"))
        #expect(try core.portero(["users", "photo", "2", "--remove"]).status != 0, "none left")

        // Ana's own photo waits (as the member's page would have stored it): saved with --pending,
        // which prints its SHA-256, and approved by it; a wrong SHA-256 is not approved.
        let sent: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0, 4, 1, 2, 0x77, 0xFF, 0xD9]
        let writer = try SQLite.Connection(path: core.directory.appendingPathComponent("core.sqlite").path)
        _ = try writer.run(
            """
            INSERT INTO member_photos (user_id, state, type, bytes, uploaded_by, uploaded_at)
            VALUES (2, 'pending', 'image/jpeg', ?, 2, 0)
            """, sent)
        let waiting = core.directory.appendingPathComponent("espera.jpg").path
        let pendingSaved = try core.portero(["users", "photo", "2", "--save", waiting, "--pending"])
        let line = try #require(pendingSaved.out.split(separator: "\n").first { $0.hasPrefix("sha256 ") })
        let seen = String(line.dropFirst("sha256 ".count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: waiting)) == Data(sent) && seen.count == 64)
        let wrong = try core.portero(["users", "photo", "2", "--approve", String(repeating: "0", count: 64)])
        #expect(wrong.status != 0 && wrong.err.contains("another photo"), "\(wrong.err)")
        #expect(try core.portero(["users", "photo", "2", "--approve", seen]).out.contains("approved"))
        let shown = core.directory.appendingPathComponent("vista.jpg").path
        #expect(try core.portero(["users", "photo", "2", "--save", shown]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: shown)) == Data(sent))
    }
}
