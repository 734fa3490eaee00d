import Foundation
import HTTP
import PorteroModel
import CoreStorage
import BackOffice
/// A QR code (ISO/IEC 18004) for short texts such as an `otpauth://` URI: byte mode, error
/// correction level M, versions 1 to 10 (up to 213 bytes), the mask with the lowest penalty.
/// Drawn on the server as SVG, so the TOTP set-up page needs no script and no image service.
public struct QRCode: Sendable {
    public let size: Int
    /// Rows of modules, true for dark.
    public private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]

    public struct TooLong: Error, CustomStringConvertible {
        public var description: String { "the text is longer than a version 10 QR code holds (213 bytes)" }
    }

    /// Error-correction codewords per block and the data codewords of each block, level M.
    package static let blocks: [(ec: Int, data: [Int])] = [
        (10, [16]), (16, [28]), (26, [44]), (18, [32, 32]), (24, [43, 43]), (16, [27, 27, 27, 27]),
        (18, [31, 31, 31, 31]), (22, [38, 38, 39, 39]), (22, [36, 36, 36, 37, 37]), (26, [43, 43, 43, 43, 44]),
    ]
    package static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    public init(text: String) throws {
        let bytes = Array(text.utf8)
        // The smallest version whose data codewords hold mode, count, the bytes and the terminator.
        guard
            let version = (1...10).first(where: { v in
                let capacity = Self.blocks[v - 1].data.reduce(0, +) * 8
                return 4 + (v < 10 ? 8 : 16) + bytes.count * 8 <= capacity
            })
        else { throw TooLong() }
        size = 17 + 4 * version
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules
        drawFunctionPatterns(version: version)
        let codewords = Self.codewords(bytes, version: version)
        placeData(codewords)
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<8 {
            var trial = self
            trial.applyMask(mask)
            trial.drawFormat(mask: mask)
            let penalty = trial.penalty()
            if penalty < best.penalty { best = (mask, penalty) }
        }
        applyMask(best.mask)
        drawFormat(mask: best.mask)
    }

    // MARK: Codewords

    package static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        let layout = blocks[version - 1]
        let capacity = layout.data.reduce(0, +)
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in (0..<count).reversed() { bits.append((value >> i) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        append(0, min(4, capacity * 8 - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while data.count < capacity {
            data.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        // Split into blocks, add each block's Reed-Solomon codewords, interleave.
        let divisor = reedSolomonDivisor(degree: layout.ec)
        var offset = 0
        var dataBlocks: [[UInt8]] = []
        var ecBlocks: [[UInt8]] = []
        for length in layout.data {
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            ecBlocks.append(reedSolomonRemainder(block, divisor))
        }
        var result: [UInt8] = []
        for i in 0..<(layout.data.max() ?? 0) {
            for block in dataBlocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<layout.ec { for block in ecBlocks { result.append(block[i]) } }
        return result
    }

    package static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in (0...7).reversed() {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= ((Int(y) >> i) & 1) * Int(x)
        }
        return UInt8(z)
    }

    package static func reedSolomonDivisor(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    package static func reedSolomonRemainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }

    // MARK: Modules

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    private mutating func drawFunctionPatterns(version: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                    let distance = max(abs(dx), abs(dy))
                    set(cx + dx, cy + dy, distance != 2 && distance != 4)
                }
            }
        }
        let positions = Self.alignment[version - 1]
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 { for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) } }
            }
        }
        drawFormat(mask: 0)  // reserves the format areas; drawn again with the chosen mask
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    private mutating func drawFormat(mask: Int) {
        let data = 0b00 << 3 | mask  // level M
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    private mutating func placeData(_ codewords: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !isFunction[y][x], index < codewords.count * 8 else { continue }
                    modules[y][x] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
    }

    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let flip =
                    switch mask {
                    case 0: (x + y) % 2 == 0
                    case 1: y % 2 == 0
                    case 2: x % 3 == 0
                    case 3: (x + y) % 3 == 0
                    case 4: (x / 3 + y / 2) % 2 == 0
                    case 5: x * y % 2 + x * y % 3 == 0
                    case 6: (x * y % 2 + x * y % 3) % 2 == 0
                    default: ((x + y) % 2 + x * y % 3) % 2 == 0
                    }
                if flip { modules[y][x].toggle() }
            }
        }
    }

    /// Runs of five or more, 2×2 blocks, finder-like rows and columns, and the dark share.
    package func penalty() -> Int {
        var total = 0
        func lines(_ transpose: Bool) -> [[Bool]] {
            transpose ? (0..<size).map { x in (0..<size).map { modules[$0][x] } } : modules
        }
        let finderLike: [Bool] = [true, false, true, true, true, false, true]
        for line in lines(false) + lines(true) {
            var run = 1
            for i in 1..<size {
                if line[i] == line[i - 1] {
                    run += 1
                } else {
                    if run >= 5 { total += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { total += run - 2 }
            for i in 0...(size - 7) where Array(line[i..<i + 7]) == finderLike {
                let before = i >= 4 && !line[(i - 4)..<i].contains(true)
                let after = i + 11 <= size && !line[(i + 7)..<(i + 11)].contains(true)
                if before || after { total += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1)
            where modules[y][x] == modules[y][x + 1] && modules[y][x] == modules[y + 1][x]
                && modules[y][x] == modules[y + 1][x + 1]
            {
                total += 3
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let percent = dark * 100 / (size * size)
        total += abs(percent - 50) / 5 * 10
        return total
    }

    // MARK: Output

    /// An SVG with a four-module quiet zone, one path for the dark modules, and an accessible label.
    public func svg(label: String, moduleSize: Int = 6) -> HTML {
        let full = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4),\(y + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(label)" viewBox="0 0 \(full) \(full)" \
            width="\(full * moduleSize)" height="\(full * moduleSize)" shape-rendering="crispEdges">\
            <rect width="\(full)" height="\(full)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// A binary PGM picture (for tests that read the code back with a decoder).
    public func pgm(scale: Int = 4) -> [UInt8] {
        let full = (size + 8) * scale
        var bytes = Array("P5\n\(full) \(full)\n255\n".utf8)
        for row in 0..<full {
            for column in 0..<full {
                let (y, x) = (row / scale - 4, column / scale - 4)
                let dark = (0..<size).contains(y) && (0..<size).contains(x) && modules[y][x]
                bytes.append(dark ? 0 : 255)
            }
        }
        return bytes
    }
}
