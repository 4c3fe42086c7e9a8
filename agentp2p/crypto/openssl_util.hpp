// Internal to agentp2p/crypto (not for other modules): RAII owners for
// OpenSSL objects and the EVP operations the OpenSSL-backed key types share.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::crypto::detail {

struct evp_pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;

struct evp_pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
using evp_pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, evp_pkey_ctx_free>;

struct evp_md_ctx_free {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, evp_md_ctx_free>;

// Another owner of the same key: keys are immutable once built, so copies of
// a private_key share one EVP_PKEY through OpenSSL's reference count.
evp_pkey_ptr share(const evp_pkey_ptr& key);

// `what` plus the reason OpenSSL queued, as a crypto_error. Clears the
// thread's error queue so a later failure does not report a stale reason.
agentp2p::error openssl_failure(std::string_view what);

// Wipes secret material before its memory is released.
void cleanse(bytes& secret) noexcept;

// One-shot signing/verification. md is nullptr for Ed25519 (which hashes
// internally) and EVP_sha256() for RSA and ECDSA.
result<bytes> evp_sign(EVP_PKEY* key, const EVP_MD* md, byte_span message);
bool evp_verify(EVP_PKEY* key, const EVP_MD* md, byte_span message, byte_span signature);

// DER SubjectPublicKeyInfo (PKIX). Parsing rejects trailing bytes.
result<evp_pkey_ptr> parse_pkix(byte_span der);
result<bytes> to_pkix(EVP_PKEY* key);

// The "traditional" private key DER: PKCS#1 RSAPrivateKey for RSA, SEC1
// ECPrivateKey for EC. Parsing rejects trailing bytes.
result<evp_pkey_ptr> parse_traditional_private(int evp_type, byte_span der);
result<bytes> to_traditional_private(EVP_PKEY* key);

}  // namespace agentp2p::crypto::detail
