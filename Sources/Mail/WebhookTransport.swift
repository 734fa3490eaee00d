internal import CCurl
import Foundation

/// Why a webhook POST got no answer (libcurl's words), or the answer was not a 2xx.
public struct WebhookError: Error, CustomStringConvertible, Sendable {
    /// The HTTP status when the endpoint answered.
    public let status: Int?
    public let description: String
    public init(status: Int?, _ description: String) {
        self.status = status
        self.description = description
    }
}

/// HTTP over libcurl for the core's outgoing calls: webhook POSTs, and the OpenID provider's
/// documents and token endpoint. Certificates are verified; redirects are not followed. Blocking, with
/// timeouts: run it on a thread of its own.
public struct WebhookTransport: Sendable {
    public let timeoutSeconds: Int

    public init(timeoutSeconds: Int = 10) { self.timeoutSeconds = timeoutSeconds }

    /// The answer's bytes, up to `limit`.
    final class Answer {
        var bytes: [UInt8] = []
        let limit: Int
        init(limit: Int) { self.limit = limit }
    }

    /// POSTs `body` as JSON and answers the HTTP status when it is 2xx; the first bytes of any
    /// other answer are kept in the error, for the delivery log.
    @discardableResult
    public func post(url: String, body: [UInt8], headers: [(String, String)]) throws(WebhookError) -> Int {
        let answer = try exchange(
            url: url, body: body, headers: [("Content-Type", "application/json")] + headers, limit: 200)
        guard (200..<300).contains(answer.status) else {
            throw WebhookError(
                status: answer.status, "HTTP \(answer.status): \(String(decoding: answer.body, as: UTF8.self))")
        }
        return answer.status
    }

    /// One request: a GET when `body` is nil, else a POST of `body` (its Content-Type among
    /// `headers`). Answers the status, whatever it is, and the body's first `limit` bytes.
    public func exchange(url: String, body: [UInt8]?, headers: [(String, String)], limit: Int) throws(WebhookError)
        -> (status: Int, body: [UInt8])
    {
        guard SMTPTransport.initialised, let easy = curl_easy_init() else {
            throw WebhookError(status: nil, "libcurl could not make a handle")
        }
        defer { curl_easy_cleanup(easy) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in [("Expect", "")] + headers {
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(list) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let answer = Answer(limit: limit)
        var setup = [
            portero_curl_set_string(easy, CURLOPT_URL, url),
            portero_curl_set_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1),
            portero_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2),
            portero_curl_set_long(easy, CURLOPT_NOSIGNAL, 1),
            portero_curl_set_long(easy, CURLOPT_TIMEOUT, timeoutSeconds),
            portero_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT, timeoutSeconds),
            portero_curl_set_list(easy, CURLOPT_HTTPHEADER, list),
            portero_curl_set_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer),
            portero_curl_set_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                guard let data, let context else { return 0 }
                let answer = Unmanaged<Answer>.fromOpaque(context).takeUnretainedValue()
                let length = size * count
                if answer.bytes.count < answer.limit {
                    answer.bytes += UnsafeRawBufferPointer(
                        start: data, count: min(length, answer.limit - answer.bytes.count))
                }
                return length
            },
            portero_curl_set_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(answer).toOpaque()),
        ]
        if var bytes = body {
            setup.append(portero_curl_set_size(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
            // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
            bytes.append(0)
            setup.append(
                bytes.withUnsafeMutableBytes { portero_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            )
        } else {
            setup.append(portero_curl_set_long(easy, CURLOPT_HTTPGET, 1))
        }
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            throw WebhookError(status: nil, "libcurl refused a setting: \(String(cString: curl_easy_strerror(failed)))")
        }
        let code = withExtendedLifetime(answer) { curl_easy_perform(easy) }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw WebhookError(status: nil, detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        _ = portero_curl_response_code(easy, &status)
        return (status, answer.bytes)
    }
}
