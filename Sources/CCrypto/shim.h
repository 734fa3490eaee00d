#ifndef PORTERO_CCRYPTO_SHIM_H
#define PORTERO_CCRYPTO_SHIM_H
/* OpenSSL 3 libcrypto only; libssl is not linked. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>
#endif
