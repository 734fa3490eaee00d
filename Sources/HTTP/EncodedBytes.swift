/// The encoder's output: bytes written through a pointer, grown by doubling, so an append is a
/// capacity check and a copy, without `Array.append`'s uniqueness check and generic paths (an
/// answer is dozens of appends). Non-copyable: exactly one owner (a sink's state) changes it and
/// frees it when it goes, so no copy can share or outlive the storage.
struct EncodedBytes: ~Copyable {
    private(set) var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// Room for `extra` more bytes: at least twice the size when it grows.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(extra) }
    }

    private mutating func grow(_ extra: Int) {
        let grown = max(capacity * 2, count + extra)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: start, count: count)
        start.deallocate()
        start = moved
        capacity = grown
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        start[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (start + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// An object member's start: the comma after another one, then `"key":`.
    mutating func appendKey(_ key: StaticString, afterAnother: Bool) {
        let length = key.utf8CodeUnitCount
        reserve(length + 4)
        var at = start + count
        if afterAnother {
            at.pointee = UInt8(ascii: ",")
            at += 1
        }
        at.pointee = UInt8(ascii: "\"")
        (at + 1).update(from: key.utf8Start, count: length)
        at += 1 + length
        at.pointee = UInt8(ascii: "\"")
        (at + 1).pointee = UInt8(ascii: ":")
        count = (at + 2) - start
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// The bytes in `range` (valid until the buffer next changes).
    subscript(range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return UnsafeRawBufferPointer(start: start + range.lowerBound, count: range.count)
    }

    mutating func removeAll() { count = 0 }

    /// Drops the bytes from `index` on.
    mutating func removeLast(from index: Int) {
        precondition(index >= 0 && index <= count)
        count = index
    }

    /// Reverses the bytes from `index` to the end in place.
    func reverse(from index: Int) {
        var region = UnsafeMutableBufferPointer(start: start + index, count: count - index)
        region.reverse()
    }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }
}
