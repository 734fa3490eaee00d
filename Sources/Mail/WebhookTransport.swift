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

/// POSTs one JSON body per call with libcurl, with the given headers, and answers the HTTP
/// status when it is 2xx. Certificates are verified; redirects are not followed. Blocking, with
/// timeouts: run it on a thread of its own.
public struct WebhookTransport: Sendable {
    public let timeoutSeconds: Int

    public init(timeoutSeconds: Int = 10) { self.timeoutSeconds = timeoutSeconds }

    /// The first bytes of the answer, kept for the delivery log.
    final class Answer {
        var bytes: [UInt8] = []
    }

    @discardableResult
    public func post(url: String, body: [UInt8], headers: [(String, String)]) throws(WebhookError) -> Int {
        guard SMTPTransport.initialised, let easy = curl_easy_init() else {
            throw WebhookError(status: nil, "libcurl could not make a handle")
        }
        defer { curl_easy_cleanup(easy) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in [("Content-Type", "application/json"), ("Expect", "")] + headers {
            list = curl_slist_append(list, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(list) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let answer = Answer()
        var bytes = body
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
                if answer.bytes.count < 200 {
                    answer.bytes += UnsafeRawBufferPointer(start: data, count: min(length, 200 - answer.bytes.count))
                }
                return length
            },
            portero_curl_set_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(answer).toOpaque()),
            portero_curl_set_size(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)),
        ]
        // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
        bytes.append(0)
        setup.append(
            bytes.withUnsafeMutableBytes { portero_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
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
        guard (200..<300).contains(status) else {
            throw WebhookError(status: status, "HTTP \(status): \(String(decoding: answer.bytes, as: UTF8.self))")
        }
        return status
    }
}
