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
