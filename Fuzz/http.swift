// libFuzzer target: the HTTP request decoder, fed arbitrary bytes in arbitrary splits.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let first = bytes.first else { return 0 }
    var limits = HTTPLimits()
    limits.requestLineBytes = 256
    limits.headerBytes = 512
    limits.headerCount = 16
    limits.bodyBytes = 256
    var decoder = HTTPRequestDecoder(limits: limits)
    let chunk = max(1, Int(first % 31))
    var index = 1
    outer: while index < bytes.count {
        let end = min(bytes.count, index + chunk)
        decoder.append(bytes[index..<end])
        index = end
        while true {
            do {
                guard let request = try decoder.next() else { break }
                // What is accepted is within the limits and has a clean path.
                precondition(request.body.count <= limits.bodyBytes)
                precondition(request.path == "*" || request.path.hasPrefix("/"))
                precondition(
                    !request.path.contains("/../") && !request.path.hasSuffix("/..") && !request.path.contains("\u{0}"))
                precondition(
                    !request.headers.contains {
                        $0.name.isEmpty || $0.value.utf8.contains(13) || $0.value.utf8.contains(10)
                    })
            } catch {
                precondition([400, 413, 414, 431, 501, 505].contains(error.status))
                break outer
            }
        }
    }
    return 0
}
