import Foundation

/// `Encodable` values straight to JSON bytes, for response bodies: object keys sorted by their
/// UTF-8 bytes (so equal values give equal bytes and stable ETags), strings escaped as RFC 8259
/// requires (quote, backslash, control characters; `/` is left alone), integers exact, doubles
/// in their shortest form, `Date` as ISO 8601 in UTC, `Data` as Base64. Non-finite numbers are
/// refused, as JSON has no spelling for them.
///
/// Foundation's `JSONEncoder` builds a tree of boxed values and sorts it afterwards; this writes
/// each value into one byte buffer as it comes and reorders an object's members only when its
/// type declared them out of order, which makes a signed-in read several times cheaper.
public enum JSONBytesEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try written { try $0.encodeValue(value) }
    }

    /// A value that writes itself, without asking at run time whether it does (a cast to an
    /// existential costs a conformance look-up on every answer).
    public static func encode<T: JSONObjectWritable>(_ value: T) throws -> [UInt8] {
        try written { $0.writeObject(value) }
    }

    /// As `encode`, through the value's `Encodable` conformance even when it writes itself (to
    /// test that the two agree).
    public static func encodeGenerically<T: Encodable>(_ value: T) throws -> [UInt8] {
        try written { try $0.encodeThroughConformance(value) }
    }

    /// The bytes `write` puts into a new sink, or the failure it recorded.
    private static func written(_ write: (JSONSink) throws -> Void) throws -> [UInt8] {
        let sink = JSONSink()
        try write(sink)
        if let failure = sink.failure { throw failure }
        return sink.bytes.array
    }
}

/// The writer behind `JSONBytesEncoder`. Containers are written in the order Swift's coding
/// calls them, which nests strictly: a value's container is complete when its `encode(to:)`
/// returns, and its members are then put in key order. A container opened beside another one
/// (`nestedContainer`, `superEncoder`) writes into a sink of its own, spliced in at the end.
final class JSONSink: Encoder {
    /// The writer's state lives behind a pointer: every member written touches it several times,
    /// and a class's stored properties would pay a dynamic exclusivity check on each access. The
    /// sink is used by one thread, for one encoding, and frees the state when it goes.
    struct State: ~Copyable {
        var bytes = EncodedBytes(capacity: 512)
        var frames: [Frame] = []
        var members: [Member] = []
        /// Reused when a container's members are put in order.
        var scratch = EncodedBytes(capacity: 0)
    }

    let state: UnsafeMutablePointer<State>
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// One member of an open container: where its bytes are (after the comma), its key for
    /// sorting, or a sink of its own to splice in.
    struct Member {
        var key: String?
        var start: Int
        var end: Int
        var child: JSONSink?
    }

    enum Kind { case none, keyed, unkeyed, single }

    /// The container of the value being encoded now.
    struct Frame {
        var kind: Kind = .none
        /// Where the container's bytes begin (its `{` or `[`).
        var start: Int
        /// Index of its first member in `members`.
        var firstMember: Int
        var needsRebuild = false
    }

    var bytes: EncodedBytes {
        _read { yield state.pointee.bytes }
        _modify { yield &state.pointee.bytes }
    }

    var frames: [Frame] {
        get { state.pointee.frames }
        _modify { yield &state.pointee.frames }
    }

    var members: [Member] {
        get { state.pointee.members }
        _modify { yield &state.pointee.members }
    }

    /// A container asked for out of turn, where the protocol gives no way to throw: reported
    /// when the encoding ends instead of losing the value silently.
    var failure: (any Error)?

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // MARK: Values

    func encodeValue<T: Encodable>(_ value: T) throws {
        if T.self == String.self { return writeString(value as! String) }
        if T.self == Int.self { return writeInteger(value as! Int) }
        if T.self == Int64.self { return writeInteger(value as! Int64) }
        if T.self == Bool.self { return writeBool(value as! Bool) }
        if T.self == Double.self { return try writeDouble(value as! Double) }
        if T.self == Date.self { return writeString(Self.iso8601(value as! Date)) }
        if T.self == Data.self { return writeString((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return writeString((value as! URL).absoluteString) }
        if T.self == Decimal.self { return writeRaw((value as! Decimal).description) }
        // Lists of strings and whole numbers, common in answers, without a container per element
        // (the generic list types' metadata looked up once, not on every value).
        let type = ObjectIdentifier(T.self)
        if type == Self.stringList { return writeList(value as! [String], writeString) }
        if type == Self.intList { return writeList(value as! [Int], writeInteger) }
        if type == Self.int64List { return writeList(value as! [Int64], writeInteger) }
        if let writable = value as? any JSONObjectWritable { return writeObject(writable) }
        try encodeThroughConformance(value)
    }

    /// A value's own `encode(to:)`, in a container frame of its own.
    func encodeThroughConformance<T: Encodable>(_ value: T) throws {
        frames.append(Frame(start: bytes.count, firstMember: members.count))
        try value.encode(to: self)
        try closeFrame()
    }

    func writeObject(_ value: some JSONObjectWritable) {
        var object = JSONObjectWriter(sink: self)
        bytes.append(UInt8(ascii: "{"))
        value.writeMembers(to: &object)
        bytes.append(UInt8(ascii: "}"))
    }

    static let stringList = ObjectIdentifier([String].self)
    static let intList = ObjectIdentifier([Int].self)
    static let int64List = ObjectIdentifier([Int64].self)

    /// Ends the innermost container: its closing bracket, members in key order, children spliced.
    func closeFrame() throws {
        let frame = frames.removeLast()
        defer { members.removeSubrange(frame.firstMember...) }
        switch frame.kind {
        case .none:
            // A value that encoded nothing is an empty object, as Foundation writes it.
            writeRaw("{}")
        case .single:
            if frame.start == bytes.count {
                throw EncodingError.invalidValue(
                    (), .init(codingPath: codingPath, debugDescription: "a single-value container encoded nothing"))
            }
        case .keyed, .unkeyed:
            let close = frame.kind == .keyed ? UInt8(ascii: "}") : UInt8(ascii: "]")
            guard frame.needsRebuild else {
                bytes.append(close)
                return
            }
            if frame.kind == .keyed { sortMembers(from: frame.firstMember) }
            // The container's bytes as written, then rewritten in member order.
            state.pointee.scratch.removeAll()
            state.pointee.scratch.append(state.pointee.bytes[frame.start..<state.pointee.bytes.count])
            bytes.removeLast(from: frame.start + 1)
            for index in frame.firstMember..<members.count {
                if index > frame.firstMember { bytes.append(UInt8(ascii: ",")) }
                let member = members[index]
                state.pointee.bytes.append(
                    state.pointee.scratch[(member.start - frame.start)..<(member.end - frame.start)])
                if let child = member.child { bytes.append(try child.closedBytes()) }
            }
            bytes.append(close)
        }
    }

    /// Insertion sort by key bytes, in place: objects have a handful of members, and this
    /// allocates nothing (stable, so equal keys keep their order).
    func sortMembers(from first: Int) {
        var index = first + 1
        while index < members.count {
            let member = members[index]
            let key = member.key ?? ""
            var slot = index
            while slot > first, Self.precedes(key, members[slot - 1].key ?? "") {
                members[slot] = members[slot - 1]
                slot -= 1
            }
            members[slot] = member
            index += 1
        }
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes (keys are compared on every member).
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order < 0 || (order == 0 && x.count < y.count)
            }
        }
    }

    /// A child sink's bytes once its own container is closed.
    func closedBytes() throws -> [UInt8] {
        while !frames.isEmpty { try closeFrame() }
        return bytes.array
    }

    // MARK: Encoder

    /// Opens (or, when asked twice, reopens) the container of the value being encoded.
    func open(_ kind: Kind) -> Int {
        let depth = frames.count - 1
        if frames[depth].kind == .none {
            frames[depth].kind = kind
            switch kind {
            case .keyed: bytes.append(UInt8(ascii: "{"))
            case .unkeyed: bytes.append(UInt8(ascii: "["))
            case .single, .none: break
            }
        }
        return depth
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(sink: self, depth: open(.keyed)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedContainer(sink: self, depth: open(.unkeyed)) }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(sink: self, depth: open(.single))
    }

    /// Starts a member of the container at `depth`: the comma, the key, and its bookkeeping.
    func beginMember(at depth: Int, key: String?) throws {
        guard depth == frames.count - 1 else {
            throw EncodingError.invalidValue(
                (),
                .init(
                    codingPath: codingPath,
                    debugDescription: "a container was used after another one was opened inside it"))
        }
        let frame = frames[depth]
        if members.count > frame.firstMember {
            bytes.append(UInt8(ascii: ","))
            if let key, let previous = members[members.count - 1].key, !Self.precedes(previous, key) {
                frames[depth].needsRebuild = true
            }
        }
        members.append(Member(key: key, start: bytes.count, end: bytes.count, child: nil))
        if let key {
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }
    }

    func endMember() { members[members.count - 1].end = bytes.count }

    /// A member whose value is written by a sink of its own (a nested container, a super encoder).
    func childMember(at depth: Int, key: String?) throws -> JSONSink {
        try beginMember(at: depth, key: key)
        endMember()
        let child = JSONSink()
        child.codingPath = codingPath
        child.frames.append(Frame(start: 0, firstMember: 0))
        members[members.count - 1].child = child
        frames[depth].needsRebuild = true
        return child
    }

    // MARK: Scalars

    func writeList<Element>(_ list: [Element], _ write: (Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, element) in list.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    func writeRaw(_ text: String) { bytes.append(text) }

    func writeNull() { writeRaw("null") }

    func writeBool(_ value: Bool) { writeRaw(value ? "true" : "false") }

    func writeInteger<I: BinaryInteger>(_ value: I) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        // Digits of the magnitude, least significant first, then reversed into place.
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            let (quotient, digit) = magnitude.quotientAndRemainder(dividingBy: 10)
            bytes.append(UInt8(ascii: "0") + UInt8(digit))
            magnitude = quotient
        }
        bytes.reverse(from: start)
    }

    func writeDouble(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: codingPath, debugDescription: "\(value) has no JSON spelling"))
        }
        // Whole numbers without a fraction, as Foundation writes them ("3", not "3.0").
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {  // 2^53: beyond it Swift writes an exponent
            writeInteger(Int64(value))
            return
        }
        let text = value.description
        writeRaw(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }

    static let hex = Array("0123456789abcdef".utf8)

    func writeString(_ text: String) {
        var text = text
        let out = state
        out.pointee.bytes.append(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied whole.
            var run = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.pointee.bytes.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[run..<index]))
                run = index + 1
                out.pointee.bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.pointee.bytes.append(byte)
                case 0x0A: out.pointee.bytes.append(UInt8(ascii: "n"))
                case 0x0D: out.pointee.bytes.append(UInt8(ascii: "r"))
                case 0x09: out.pointee.bytes.append(UInt8(ascii: "t"))
                case 0x08: out.pointee.bytes.append(UInt8(ascii: "b"))
                case 0x0C: out.pointee.bytes.append(UInt8(ascii: "f"))
                default:
                    out.pointee.bytes.append(UInt8(ascii: "u"))
                    out.pointee.bytes.append(UInt8(ascii: "0"))
                    out.pointee.bytes.append(UInt8(ascii: "0"))
                    out.pointee.bytes.append(Self.hex[Int(byte >> 4)])
                    out.pointee.bytes.append(Self.hex[Int(byte & 0xF)])
                }
            }
            out.pointee.bytes.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[run...]))
        }
        out.pointee.bytes.append(UInt8(ascii: "\""))
    }

    /// `2026-11-23T04:05:06Z`, as Foundation's `.iso8601` date strategy writes it.
    static func iso8601(_ date: Date) -> String { date.ISO8601Format() }
}
