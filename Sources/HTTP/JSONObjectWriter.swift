/// An answer that writes its members itself, for the routes every page calls: through the
/// generic `Encodable` path each member costs a few hundred nanoseconds of protocol dispatch.
/// Members go in key order (checked in debug builds), and the bytes must be the ones the type's
/// `Encodable` conformance gives (`JSONBytesEncoder.encodeGenerically`), which its tests compare.
public protocol JSONObjectWritable: Encodable {
    func writeMembers(to object: inout JSONObjectWriter)
}

/// Writes an object's members for `JSONObjectWritable`: keys are plain ASCII names (as Swift's
/// synthesised coding keys are), and an optional that is nil is left out, as `encodeIfPresent`
/// does.
public struct JSONObjectWriter {
    let sink: JSONSink
    var count = 0
    #if DEBUG
    var previous: String?
    #endif

    mutating func key(_ key: StaticString) {
        #if DEBUG
        let name = key.description
        precondition(
            name.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") },
            "\(name) needs escaping")
        precondition(previous.map { JSONSink.precedes($0, name) } ?? true, "\(name) is out of key order")
        previous = name
        #endif
        sink.state.pointee.bytes.appendKey(key, afterAnother: count > 0)
        count += 1
    }

    public mutating func write(_ key: StaticString, _ value: String) {
        self.key(key)
        sink.writeString(value)
    }
    public mutating func write(_ key: StaticString, _ value: String?) { if let value { write(key, value) } }
    public mutating func write(_ key: StaticString, _ value: Int64) {
        self.key(key)
        sink.writeInteger(value)
    }
    public mutating func write(_ key: StaticString, _ value: Int) {
        self.key(key)
        sink.writeInteger(value)
    }
    public mutating func write(_ key: StaticString, _ value: Bool) {
        self.key(key)
        sink.writeBool(value)
    }
    public mutating func write(_ key: StaticString, _ value: [String]) {
        self.key(key)
        sink.writeList(value, sink.writeString)
    }
    public mutating func write(_ key: StaticString, _ value: [Int64]) {
        self.key(key)
        sink.writeList(value, sink.writeInteger)
    }
}
