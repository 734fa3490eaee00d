import Foundation
import PorteroCLI
import Readers

/// `portero card decode wiegand BITS` and `portero card decode em4100 HEXBYTES`: the installer's tool.
/// Prints one JSON object; a failed parity or checksum exits 65 (EX_DATAERR) saying which check failed.
enum CardDecodeCommand {
    static let usage = "usage: portero card decode wiegand BITS | portero card decode em4100 HEXBYTES"

    static func run(_ arguments: [String]) throws -> ExitCode {
        guard arguments.count == 2 else { throw CommandLineArguments.UsageError(message: usage) }
        let result: Result<CardRead, ReadRejection>
        switch arguments[0] {
        case "wiegand":
            guard let frame = WiegandFrame(string: arguments[1]) else {
                throw CommandLineArguments.UsageError(
                    message: "BITS must be a string of 0 and 1, got '\(arguments[1])'")
            }
            switch WiegandDecoder.decode(frame) {
            case let .success(.card(read)): result = .success(read)
            case let .success(.keys(keys)):
                print(#"{"format":"keypad","bits":\#(frame.bits.count),"keys":"\#(String(keys))"}"#)
                return .success
            case let .failure(rejection): result = .failure(rejection)
            }
        case "em4100":
            result = EM4100FrameParser.decode(hex: arguments[1])
        default:
            throw CommandLineArguments.UsageError(message: "unknown card format '\(arguments[0])'; " + usage)
        }
        switch result {
        case let .success(read):
            print(json(read))
            return .success
        case let .failure(rejection):
            printError("portero: \(arguments[0]) \(arguments[1]): \(rejection)")
            return .dataError
        }
    }

    /// `{"format":…,"bits":…,"facility":…,"number":…,"credential":"…"}`, keys in that order.
    static func json(_ read: CardRead) -> String {
        var fields = [#""format":"\#(read.format.rawValue)""#, #""bits":\#(read.bits)"#]
        if let facility = read.facility { fields.append(#""facility":\#(facility)"#) }
        fields.append(#""number":\#(read.number)"#)
        fields.append(#""credential":"\#(read.credential)""#)
        return "{" + fields.joined(separator: ",") + "}"
    }
}
