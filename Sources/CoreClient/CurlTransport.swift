internal import CCurl
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Requests over libcurl's easy interface, verifying the server against a CA file of our own
/// (`core.ca_file`): URLSession on Linux is libcurl underneath but offers no way to name one.
/// Peer and host verification stay on (libcurl's defaults, set again here). Handles are kept
/// for reuse, so connections (and TLS sessions) stay open between requests.
final class CurlTransport: Sendable {
    let caFile: String
    let timeoutSeconds: Double
    /// Idle easy handles, as addresses (a pointer is not Sendable; each is used by one transfer at a time).
    private let idle = Mutex<[UInt]>([])
    private let flag = CancelFlag()

    final class CancelFlag: Sendable {
        let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .relaxed) }
    }

    static let initialised: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    init(caFile: String, timeoutSeconds: Double) {
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
        _ = Self.initialised
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(UnsafeMutableRawPointer(bitPattern: handle)) }
    }

    /// Aborts what is in flight and refuses new requests (shutdown).
    func cancel() { flag.value.store(true, ordering: .relaxed) }

    /// What the callbacks fill in during one transfer.
    final class Transfer {
        var body = Data()
        var headers: [String: String] = [:]
        let cancelled: @Sendable () -> Bool
        init(cancelled: @escaping @Sendable () -> Bool) { self.cancelled = cancelled }
    }

    func perform(_ request: URLRequest) throws(CoreClientError) -> CoreResponse {
        guard !flag.isSet else { throw CoreClientError(status: nil, message: "cancelled") }
        guard let url = request.url?.absoluteString else { throw CoreClientError(status: nil, message: "no URL") }
        guard
            let raw = idle.withLock({ $0.popLast() }).flatMap({ UnsafeMutableRawPointer(bitPattern: $0) })
                ?? curl_easy_init()
        else {
            throw CoreClientError(status: nil, message: "libcurl could not make a handle")
        }
        var keep = true
        defer {
            let address = UInt(bitPattern: raw)
            if keep { idle.withLock { $0.append(address) } } else { curl_easy_cleanup(raw) }
        }
        curl_easy_reset(raw)
        let transfer = Transfer(cancelled: { [flag] in flag.isSet })
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.allHTTPHeaderFields ?? [:] {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")  // no 100-continue round trip for uploads

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            var setup = [
                portero_curl_set_string(raw, CURLOPT_URL, url),
                portero_curl_set_string(raw, CURLOPT_CAINFO, caFile),
                portero_curl_set_long(raw, CURLOPT_SSL_VERIFYPEER, 1),
                portero_curl_set_long(raw, CURLOPT_SSL_VERIFYHOST, 2),
                portero_curl_set_long(raw, CURLOPT_NOSIGNAL, 1),
                portero_curl_set_long(raw, CURLOPT_FOLLOWLOCATION, 0),
                portero_curl_set_long(raw, CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000)),
                portero_curl_set_long(raw, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeoutSeconds, 10) * 1000)),
                portero_curl_set_string(raw, CURLOPT_PROTOCOLS_STR, "http,https"),
                portero_curl_set_pointer(raw, CURLOPT_ERRORBUFFER, errors.baseAddress),
                portero_curl_set_list(raw, CURLOPT_HTTPHEADER, headerList),
                portero_curl_set_data_callback(raw, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                    guard let data, let context else { return 0 }
                    Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().body.append(
                        UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                    return size * count
                },
                portero_curl_set_pointer(raw, CURLOPT_WRITEDATA, context),
                portero_curl_set_data_callback(raw, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                    if let colon = line.firstIndex(of: ":") {
                        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                        Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().headers[name] = value
                    }
                    return size * count
                },
                portero_curl_set_pointer(raw, CURLOPT_HEADERDATA, context),
                portero_curl_set_long(raw, CURLOPT_NOPROGRESS, 0),
                portero_curl_set_progress_callback(raw) { context, _, _, _, _ in
                    guard let context else { return 0 }
                    return Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().cancelled() ? 1 : 0
                },
                portero_curl_set_pointer(raw, CURLOPT_XFERINFODATA, context),
            ]
            let method = request.httpMethod ?? "GET"
            if let body = request.httpBody {
                setup.append(portero_curl_set_size(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                setup.append(
                    body.withUnsafeBytes {
                        portero_curl_set_pointer(
                            raw, CURLOPT_COPYPOSTFIELDS,
                            UnsafeMutableRawPointer(mutating: $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                    })  // safe: a non-null address for an empty body
            }
            if method == "GET" {
                setup.append(portero_curl_set_long(raw, CURLOPT_HTTPGET, 1))
            } else if method != "POST" || request.httpBody == nil {
                setup.append(portero_curl_set_string(raw, CURLOPT_CUSTOMREQUEST, method))
            }
            if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
            return curl_easy_perform(raw)
        }
        guard code == CURLE_OK else {
            keep = false
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CoreClientError(
                status: nil, message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        _ = portero_curl_response_code(raw, &status)
        return CoreResponse(status: status, headers: transfer.headers, body: transfer.body)
    }
}
