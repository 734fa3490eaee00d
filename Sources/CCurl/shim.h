#ifndef PORTERO_CCURL_SHIM_H
#define PORTERO_CCURL_SHIM_H
/*
 * libcurl's easy interface, for the one thing URLSession on Linux cannot do: verify the core's
 * certificate against a CA file of our own (core.ca_file). curl_easy_setopt and curl_easy_getinfo
 * are variadic, which Swift cannot call, so each argument type gets a fixed-signature wrapper.
 */
#include <curl/curl.h>

typedef size_t (*portero_curl_data_callback)(char *data, size_t size, size_t count, void *context);
typedef int (*portero_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total, curl_off_t uploaded);

static inline CURLcode portero_curl_set_long(CURL *handle, CURLoption option, long value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_string(CURL *handle, CURLoption option, const char *value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_pointer(CURL *handle, CURLoption option, void *value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_size(CURL *handle, CURLoption option, curl_off_t value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_data_callback(CURL *handle, CURLoption option, portero_curl_data_callback value) { return curl_easy_setopt(handle, option, value); }
static inline CURLcode portero_curl_set_progress_callback(CURL *handle, portero_curl_progress_callback value) { return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value); }
static inline CURLcode portero_curl_response_code(CURL *handle, long *code) { return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code); }

#endif
