struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    let depth: Int
    var codingPath: [any CodingKey] { sink.codingPath }

    /// One member: its key, then what `write` puts.
    private func member(_ key: Key, _ write: () throws -> Void) throws {
        try sink.beginMember(at: depth, key: key.stringValue)
        try write()
        sink.endMember()
    }

    mutating func encodeNil(forKey key: Key) throws { try member(key) { sink.writeNull() } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(key) { sink.writeBool(value) } }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key) { sink.writeString(value) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(key) { try sink.writeDouble(value) } }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Double(value), forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key) { sink.writeInteger(value) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(Int(value), forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key) { sink.writeInteger(value) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(UInt(value), forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(UInt(value), forKey: key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key) {
            sink.codingPath.append(key)
            defer { sink.codingPath.removeLast() }
            try sink.encodeValue(value)
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        childSink(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        childSink(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { childSink(nil, name: "super") }

    mutating func superEncoder(forKey key: Key) -> any Encoder { childSink(key) }

    private func childSink(_ key: Key?, name: String? = nil) -> JSONSink {
        let child = sink.childOrOrphan(at: depth, key: key?.stringValue ?? name)
        if let key { child.codingPath.append(key) }
        return child
    }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let sink: JSONSink
    let depth: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { sink.codingPath }

    /// One element: what `write` puts.
    private mutating func element(_ write: (JSONSink) throws -> Void) throws {
        try sink.beginMember(at: depth, key: nil)
        try write(sink)
        sink.endMember()
        count += 1
    }

    mutating func encodeNil() throws { try element { $0.writeNull() } }
    mutating func encode(_ value: String) throws { try element { $0.writeString(value) } }
    mutating func encode(_ value: Int) throws { try element { $0.writeInteger(value) } }
    mutating func encode(_ value: Int64) throws { try encode(Int(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try element { try $0.encodeValue(value) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        childSink().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { childSink().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { childSink() }

    private mutating func childSink() -> JSONSink {
        count += 1
        return sink.childOrOrphan(at: depth, key: nil)
    }
}

struct SingleContainer: SingleValueEncodingContainer {
    let sink: JSONSink
    let depth: Int
    var codingPath: [any CodingKey] { sink.codingPath }

    func check() throws {
        guard depth == sink.frames.count - 1, sink.bytes.count == sink.frames[depth].start else {
            throw EncodingError.invalidValue(
                (), .init(codingPath: codingPath, debugDescription: "a single-value container takes one value"))
        }
    }

    mutating func encodeNil() throws {
        try check()
        sink.writeNull()
    }
    mutating func encode(_ value: Bool) throws {
        try check()
        sink.writeBool(value)
    }
    mutating func encode(_ value: String) throws {
        try check()
        sink.writeString(value)
    }
    mutating func encode(_ value: Double) throws {
        try check()
        try sink.writeDouble(value)
    }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode(_ value: Int) throws {
        try check()
        sink.writeInteger(value)
    }
    mutating func encode(_ value: Int8) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int16) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int32) throws { try encode(Int(value)) }
    mutating func encode(_ value: Int64) throws { try encode(Int(value)) }
    mutating func encode(_ value: UInt) throws {
        try check()
        sink.writeInteger(value)
    }
    mutating func encode(_ value: UInt8) throws { try encode(UInt(value)) }
    mutating func encode(_ value: UInt16) throws { try encode(UInt(value)) }
    mutating func encode(_ value: UInt32) throws { try encode(UInt(value)) }
    mutating func encode(_ value: UInt64) throws { try encode(UInt(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try check()
        try sink.encodeValue(value)
    }
}

extension JSONSink {
    /// A nested container's sink; asked for out of turn (the protocol gives that no way to
    /// throw), a sink that goes nowhere, and the encoding fails when it ends.
    func childOrOrphan(at depth: Int, key: String?) -> JSONSink {
        do {
            return try childMember(at: depth, key: key)
        } catch {
            failure = failure ?? error
            let orphan = JSONSink()
            orphan.frames.append(Frame(start: 0, firstMember: 0))
            return orphan
        }
    }
}
