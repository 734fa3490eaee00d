#ifndef PORTERO_CCURL_SHIM_H
#define PORTERO_CCURL_SHIM_H
/*
 * libcurl, the one HTTP client the daemon and the CLI use to reach the core: each transfer runs
 * in a multi handle of its own so that a stop can wake it (curl_multi_wakeup) and end it at once.
 * curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call, so each argument
 * type gets a fixed-signature wrapper.
 */
#include <curl/curl.h>

typedef size_t (*portero_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode portero_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_set_size(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_set_data_callback(CURL *handle, CURLoption option,
                                                      portero_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode portero_curl_response_code(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}

#endif
