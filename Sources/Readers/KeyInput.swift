/// A key as card-wedge readers and PIN pads send it, after the keyboard layout is applied.
public enum KeyInput: Hashable, Sendable {
    /// 0–9, or A–F for wedge readers typing hexadecimal.
    case character(Character)
    case enter
    /// `*` on a PIN pad: clear.
    case star
    /// `#` on a PIN pad: submit.
    case hash
    case backspace
}

/// Maps Linux evdev key codes (linux/input-event-codes.h) to `KeyInput`, with the shift state,
/// for US-layout wedge readers and USB PIN pads. Pure, so it is tested without a device.
public struct EvdevKeyMap: Sendable {
    private var leftShift = false
    private var rightShift = false

    public init() {}

    /// Forgets the shift state: the kernel dropped events, a release among them maybe.
    public mutating func reset() {
        leftShift = false
        rightShift = false
    }

    // Key codes from linux/input-event-codes.h.
    static let digitRow: [UInt16: Character] = [
        2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9", 11: "0",
    ]
    static let keypad: [UInt16: Character] = [
        82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",
    ]
    static let hexLetters: [UInt16: Character] = [30: "A", 48: "B", 46: "C", 32: "D", 18: "E", 33: "F"]
    static let leftShiftCode: UInt16 = 42
    static let rightShiftCode: UInt16 = 54

    /// Feeds one EV_KEY event (`value` 1 press, 0 release, 2 autorepeat); returns the key a press produced.
    public mutating func key(code: UInt16, value: Int32) -> KeyInput? {
        if code == Self.leftShiftCode {
            leftShift = value != 0
            return nil
        }
        if code == Self.rightShiftCode {
            rightShift = value != 0
            return nil
        }
        // Only presses produce input: releases do not, and autorepeat of a held key is not a new digit.
        guard value == 1 else { return nil }
        let shifted = leftShift || rightShift
        if let digit = Self.digitRow[code] {
            guard shifted else { return .character(digit) }
            switch digit {
            case "3": return .hash  // Shift+3 is '#' on a US layout.
            case "8": return .star  // Shift+8 is '*'.
            default: return nil
            }
        }
        if let digit = Self.keypad[code] { return .character(digit) }
        if let letter = Self.hexLetters[code] { return .character(letter) }
        switch code {
        case 28, 96: return .enter  // KEY_ENTER, KEY_KPENTER
        case 55: return .star  // KEY_KPASTERISK
        case 14: return .backspace  // KEY_BACKSPACE
        case 98: return .hash  // KEY_KPSLASH, which several USB PIN pads send for '#'
        default: return nil
        }
    }
}
