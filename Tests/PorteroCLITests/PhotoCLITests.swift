import Foundation
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
    }
}
