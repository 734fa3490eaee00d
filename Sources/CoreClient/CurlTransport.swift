internal import CCurl
import Foundation
import Synchronization

/// One request as the transport sends it.
struct CurlRequest {
    var method: String
    var url: String
    var headers: [(name: String, value: String)]
    var body: Data?
}

/// Every request to the core goes over libcurl: plain HTTP, and HTTPS verified against the
/// system's CAs or, with `caFile`, against that file only. Each transfer runs on its caller's
/// thread in a multi handle of its own, waiting in `curl_multi_poll`; `cancel()` sets a flag and
/// wakes every such wait (`curl_multi_wakeup`), so a stop ends a long poll at once and no request
/// starts after it. Handles are kept for reuse, so connections (and TLS sessions) stay open.
final class CurlTransport: Sendable {
    let caFile: String?
    let timeoutSeconds: Double

    private struct State: ~Copyable {
        var cancelled = false
        /// Handle pairs free for the next request.
        var idle: [CurlHandles] = []
        /// Handle pairs of the transfers under way, which `cancel()` wakes.
        var active: [CurlHandles] = []
    }

    private let state = Mutex(State())
    /// Read by a transfer between waits; written under `state`'s lock by `cancel()`.
    private let cancelled = Atomic<Bool>(false)

    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    init(caFile: String?, timeoutSeconds: Double) {
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
        _ = Self.initialised
    }

    /// Aborts what is in flight and refuses every later request (shutdown). Safe from any thread.
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            cancelled.store(true, ordering: .sequentiallyConsistent)
            for handles in state.active { handles.wake() }
        }
    }

    var isCancelled: Bool { cancelled.load(ordering: .sequentiallyConsistent) }

    /// Takes a free pair (or makes one) and registers it as active, unless the transport is
    /// cancelled: the check and the registration are one step under the lock that `cancel()`
    /// takes, so a request either starts before the cancel (and is woken by it) or not at all.
    private func admit() throws(CoreClientError) -> CurlHandles {
        let reused = state.withLock { state in state.idle.popLast() }
        guard let handles = reused ?? CurlHandles() else {
            throw CoreClientError(status: nil, message: "libcurl could not make a handle")
        }
        let admitted = state.withLock { state in
            guard !state.cancelled else { return false }
            state.active.append(handles)
            return true
        }
        guard admitted else { throw Self.cancelledError }
        return handles
    }

    /// Takes a pair out of the active list; keeps it for reuse when the transfer went well.
    private func release(_ handles: CurlHandles, keep: Bool) {
        state.withLock { state in
            state.active.removeAll { $0 === handles }
            if keep && !state.cancelled { state.idle.append(handles) }
        }
    }

    static let cancelledError = CoreClientError(status: nil, message: "cancelled: the client is stopping")

    /// What the callbacks fill in during one transfer.
    final class Transfer {
        var body = Data()
        var headers: [String: String] = [:]
    }

    func perform(_ request: CurlRequest) throws(CoreClientError) -> CoreResponse {
        let handles = try admit()
        var keep = false
        defer { release(handles, keep: keep) }
        let transfer = Transfer()
        let code = try withExtendedLifetime(transfer) { () throws(CoreClientError) -> CURLcode in
            try run(request, on: handles, into: transfer)
        }
        guard code == CURLE_OK else {
            if isCancelled { throw Self.cancelledError }
            throw CoreClientError(status: nil, message: handles.errorMessage(code))
        }
        keep = true
        return CoreResponse(status: handles.responseCode, headers: transfer.headers, body: transfer.body)
    }

    /// Sets the request up on the easy handle and drives it in the multi handle until it ends,
    /// fails or the transport is cancelled.
    private func run(_ request: CurlRequest, on handles: CurlHandles, into transfer: Transfer) throws(CoreClientError)
        -> CURLcode
    {
        let easy = handles.easy
        curl_easy_reset(easy)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")  // no 100-continue round trip for uploads
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        var setup = [
            portero_curl_set_string(easy, CURLOPT_URL, request.url),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2),
            portero_curl_set_long(easy, CURLOPT_NOSIGNAL, 1),
            portero_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 0),
            portero_curl_set_long(easy, CURLOPT_TIMEOUT_MS, Int(timeoutSeconds * 1000)),
            portero_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeoutSeconds, 10) * 1000)),
            portero_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"),
            portero_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, handles.errorBuffer),
            portero_curl_set_list(easy, CURLOPT_HTTPHEADER, headerList),
            portero_curl_set_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            },
            portero_curl_set_pointer(easy, CURLOPT_WRITEDATA, context),
            portero_curl_set_data_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().headers[name] = value
                }
                return size * count
            },
            portero_curl_set_pointer(easy, CURLOPT_HEADERDATA, context),
        ]
        if let caFile {
            setup.append(portero_curl_set_string(easy, CURLOPT_CAINFO, caFile))
        }
        if let body = request.body {
            // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call; one
            // byte more than the body keeps the address valid for an empty one.
            var bytes = [UInt8](body)
            bytes.append(0)
            setup.append(portero_curl_set_size(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            setup.append(
                bytes.withUnsafeMutableBytes { portero_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
        }
        if request.method == "GET" {
            setup.append(portero_curl_set_long(easy, CURLOPT_HTTPGET, 1))
        } else if request.method != "POST" || request.body == nil {
            setup.append(portero_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
        return try handles.drive(cancelled: cancelled)
    }
}

/// An easy handle and the multi handle it runs in, with its error buffer: one transfer at a
/// time uses a pair, and it is handed between threads only under `CurlTransport`'s lock.
final class CurlHandles: @unchecked Sendable {
    // @unchecked: used by one transfer at a time (taken and given back under the transport's
    // lock); `wake()`, the one call made from another thread, is documented thread-safe.
    let easy: UnsafeMutableRawPointer
    let multi: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let easy = curl_easy_init() else { return nil }
        guard let multi = curl_multi_init() else {
            curl_easy_cleanup(easy)
            return nil
        }
        self.easy = easy
        self.multi = multi
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_multi_cleanup(multi)
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Ends a `curl_multi_poll` under way in another thread, or the next one to begin.
    func wake() { _ = curl_multi_wakeup(multi) }

    var responseCode: Int {
        var status = 0
        _ = portero_curl_response_code(easy, &status)
        return status
    }

    func errorMessage(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    /// Runs the configured transfer to its end. A cancel seen between two waits aborts it
    /// (`CURLE_ABORTED_BY_CALLBACK`, which the caller reports as cancelled).
    func drive(cancelled: borrowing Atomic<Bool>) throws(CoreClientError) -> CURLcode {
        errorBuffer[0] = 0
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            throw CoreClientError(status: nil, message: String(cString: curl_multi_strerror(added)))
        }
        defer { _ = curl_multi_remove_handle(multi, easy) }
        var running: Int32 = 1
        while true {
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else {
                throw CoreClientError(status: nil, message: String(cString: curl_multi_strerror(performed)))
            }
            if running == 0 { break }
            if cancelled.load(ordering: .sequentiallyConsistent) { return CURLE_ABORTED_BY_CALLBACK }
            let polled = curl_multi_poll(multi, nil, 0, 1_000, nil)
            guard polled == CURLM_OK else {
                throw CoreClientError(status: nil, message: String(cString: curl_multi_strerror(polled)))
            }
        }
        var result = CURLE_OK
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE { result = message.pointee.data.result }
        }
        return result
    }
}
