#ifndef WOOSHHOOK_CCRYPTO_SHIM_H
#define WOOSHHOOK_CCRYPTO_SHIM_H

#include <stddef.h>
#include <openssl/sha.h>

// SHA-256 through Debian's libcrypto (OpenSSL 3).
//
// OpenSSL 3.0 deprecated the low-level SHA256_Init/Update/Final in favour of EVP_MD_CTX, but they remain in its
// API and ABI, and they are what keeps the signature check free of allocation: a SHA256_CTX is a plain struct, so a
// prepared HMAC key (the key's inner and outer blocks already hashed) is copied by value per delivery, while every
// EVP route (EVP_MD_CTX_copy_ex, HMAC_CTX_copy, EVP_MAC_CTX_dup) allocates a provider context per copy and measured
// 1.5 to 4 times slower on webhook-sized bodies. The one-shot SHA256() is not deprecated but goes through
// EVP_Q_digest, which fetches the algorithm and allocates on every call; the dedupe index hashes millions of short
// ids at start. So the deprecation is silenced here, for these three calls only, and Swift sees the wrappers.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static inline void wooshhook_sha256_init(SHA256_CTX *context) {
    SHA256_Init(context);
}

static inline void wooshhook_sha256_update(SHA256_CTX *context, const void *bytes, size_t count) {
    SHA256_Update(context, bytes, count);
}

/// Writes the 32-byte digest to `digest`; `context` is spent.
static inline void wooshhook_sha256_final(unsigned char *digest, SHA256_CTX *context) {
    SHA256_Final(digest, context);
}

#pragma GCC diagnostic pop

#endif
