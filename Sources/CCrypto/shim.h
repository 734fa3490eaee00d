#ifndef PORTERO_CCRYPTO_SHIM_H
#define PORTERO_CCRYPTO_SHIM_H
/* OpenSSL 3 libcrypto only; libssl is not linked. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/opensslv.h>

/* EVP_PKEY_PUBLIC_KEY is a macro of macros, which Swift does not import. */
static inline int portero_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
