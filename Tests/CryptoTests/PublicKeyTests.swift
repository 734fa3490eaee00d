import Crypto
import Foundation
import Testing

@Suite struct PublicKeyTests {
    static func decode(_ text: String) -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return [UInt8](Data(base64Encoded: base64) ?? Data())
    }

    @Test func anRSAKeyIsBuiltFromItsModulusAndExponent() throws {
        let n =
            "q7gixbLOOqdqweqs7y-2FLiFPYqSed5cJbVqb5eoxG725XdqOqKHJheNSOe6MAgyqcgiWuXcXXpYKS45kEddDS1lqTlcqcb8"
            + "tpgEtvXENwGeMGK5N9fzZLeryVKgWs6P56MY0QkzyonklgFNcDrFg1K221F1a4Pup-SZReEifxfnC_DE-AACSSoKlpWfbC1Q"
            + "cCIF7b2KaAu5umQusqHefzhGuWHQem3qO5tQXmE_1uxEySnoD6pKqNt8sGzbqkkbl3NymWMXTZgUnG-uZILR4PUZL9OhQ3r8"
            + "bTnHd2SP0Z8LThMONxU94nx_hoF8JDlAIDhPtAOtKCKMKMYKfYiAmQ"
        let key = try PublicKey.rsa(modulus: Self.decode(n), exponent: Self.decode("AQAB"))
        #expect(key.kind == .rsa)
        #expect(!key.verifySHA256(signature: [UInt8](repeating: 1, count: 256), message: Array("x".utf8)))
    }
}

@Suite struct SigningKeyTests {
    @Test func aSignatureMadeHereVerifiesWithThePublicKeyAndNothingElse() throws {
        let key = try SigningKey.p256()
        let point = try key.publicCoordinates()
        #expect(point.x.count == 32 && point.y.count == 32)
        let message = Array("portero-pass:71".utf8)
        let signature = try key.signSHA256(message)
        #expect(signature.count == 64)
        let verifier = try PublicKey.p256(x: point.x, y: point.y)
        #expect(verifier.verifySHA256(signature: signature, message: message))
        #expect(!verifier.verifySHA256(signature: signature, message: Array("portero-pass:72".utf8)))
        var flipped = signature
        flipped[10] ^= 1
        #expect(!verifier.verifySHA256(signature: flipped, message: message))
        let other = try SigningKey.p256().publicKey()
        #expect(!other.verifySHA256(signature: signature, message: message))
    }

    @Test func aPointOffTheCurveIsRefused() throws {
        let point = try SigningKey.p256().publicCoordinates()
        var y = point.y
        y[31] ^= 1
        #expect(throws: CryptoError.self) { try PublicKey.p256(x: point.x, y: y) }
        #expect(throws: CryptoError.self) {
            try PublicKey.p256(x: [UInt8](repeating: 0, count: 32), y: [UInt8](repeating: 0, count: 32))
        }
    }
}

@Suite struct SigningKeyStorageTests {
    @Test func aKeptKeySignsAsTheOriginal() throws {
        let key = try SigningKey.p256()
        let kept = try SigningKey.p256(der: try key.der())
        #expect(try kept.publicCoordinates() == key.publicCoordinates())
        let message = Array("portero-daypass:72000000000001".utf8)
        #expect(try key.publicKey().verifySHA256(signature: try kept.signSHA256(message), message: message))
        #expect(throws: CryptoError.self) { try SigningKey.p256(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}
