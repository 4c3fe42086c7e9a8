// ECDSA keys, NIST P-256 only: DER SubjectPublicKeyInfo public keys, SEC1
// ECPrivateKey private keys, ECDSA over SHA-256 with DER signatures.
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

#include "agentp2p/crypto/key_types.hpp"

namespace agentp2p::crypto::detail::ecdsa_key {
namespace {

constexpr std::size_t max_der_signature = 72;  // SEQUENCE of two 33-byte INTEGERs

// go-libp2p and js-libp2p only use P-256; other curves (and explicit curve
// parameters) are refused rather than half-supported.
result<void> require_p256(EVP_PKEY* pkey) {
  char group[64] = {};
  std::size_t len = 0;
  if (!EVP_PKEY_is_a(pkey, "EC") ||
      EVP_PKEY_get_group_name(pkey, group, sizeof group, &len) != 1 ||
      std::strcmp(group, "prime256v1") != 0) {
    (void)openssl_failure("");  // clear the queue
    return make_error(errc::unsupported, "ECDSA key is not on the P-256 curve");
  }
  return ok();
}

// Uncompressed point, named curve: the encoding go's MarshalPKIXPublicKey
// produces, so our peer ids for these keys agree with go's.
result<bytes> canonical_pkix(EVP_PKEY* pkey) {
  if (EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1)
    return openssl_failure("ECDSA: cannot select the uncompressed point form");
  return to_pkix(pkey);
}

result<impl_ptr> from_pkey(evp_pkey_ptr pkey) {
  AP_TRY(auto pub_der, canonical_pkix(pkey.get()));
  AP_TRY(auto pub, public_key::from_raw(key_type::ecdsa, pub_der));
  AP_TRY(auto secret, to_traditional_private(pkey.get()));
  return std::make_unique<private_key::impl>(key_type::ecdsa, std::move(secret), std::move(pub),
                                             std::move(pkey));
}

}  // namespace

result<bytes> check_public(byte_span data) {
  AP_TRY(auto pkey, parse_pkix(data));  // OpenSSL checks the point is on the curve
  AP_TRYV(require_p256(pkey.get()));
  return canonical_pkix(pkey.get());
}

bool verify(byte_span public_data, byte_span message, byte_span signature) {
  if (signature.empty() || signature.size() > max_der_signature) return false;
  auto pkey = parse_pkix(public_data);
  if (!pkey || !require_p256(pkey->get())) return false;
  return evp_verify(pkey->get(), EVP_sha256(), message, signature);
}

result<impl_ptr> load_private(byte_span data) {
  AP_TRY(auto pkey, parse_traditional_private(EVP_PKEY_EC, data));
  AP_TRYV(require_p256(pkey.get()));
  // SEC1 may carry its own copy of the public point; make sure it belongs to
  // the scalar, or we would advertise a key our signatures do not match.
  evp_pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_pairwise_check(ctx.get()) != 1)
    return openssl_failure("ECDSA private key: public point does not match the secret");
  return from_pkey(std::move(pkey));
}

impl_ptr generate() {
  evp_pkey_ptr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) throw result_error(openssl_failure("ECDSA P-256 key generation failed"));
  auto k = from_pkey(std::move(pkey));
  if (!k) throw result_error(std::move(k).error());
  return std::move(*k);
}

}  // namespace agentp2p::crypto::detail::ecdsa_key
