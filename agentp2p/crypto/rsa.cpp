// RSA keys: DER SubjectPublicKeyInfo public keys, PKCS#1 DER private keys,
// RSASSA-PKCS1-v1_5 signatures over SHA-256.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "agentp2p/crypto/key_types.hpp"

namespace agentp2p::crypto::detail::rsa_key {
namespace {

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_free(b); }
};

// Verification cost grows with the modulus and the public exponent, both
// chosen by the remote: bound them so a peer cannot make us burn CPU.
// (go-libp2p also refuses keys under 2048 bits.)
constexpr int max_exponent_bits = 64;

result<void> check_size(EVP_PKEY* pkey) {
  if (!EVP_PKEY_is_a(pkey, "RSA"))
    return make_error(errc::decode_error, "key is not an RSA key");
  const int bits = EVP_PKEY_get_bits(pkey);
  if (bits < static_cast<int>(min_bits) || bits > static_cast<int>(max_bits))
    return make_error(errc::unsupported, "RSA key of " + std::to_string(bits) +
                                             " bits is outside the accepted 2048..8192");
  BIGNUM* raw_e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &raw_e) != 1)
    return openssl_failure("RSA key without a public exponent");
  std::unique_ptr<BIGNUM, bn_free> e(raw_e);
  if (BN_num_bits(e.get()) > max_exponent_bits || !BN_is_odd(e.get()) || BN_is_one(e.get()))
    return make_error(errc::unsupported, "RSA public exponent is not an odd number of at most 64 bits");
  return ok();
}

result<impl_ptr> from_pkey(evp_pkey_ptr pkey) {
  AP_TRY(auto pub_der, to_pkix(pkey.get()));
  AP_TRY(auto pub, public_key::from_raw(key_type::rsa, pub_der));
  AP_TRY(auto secret, to_traditional_private(pkey.get()));
  return std::make_unique<private_key::impl>(key_type::rsa, std::move(secret), std::move(pub),
                                             std::move(pkey));
}

}  // namespace

result<bytes> check_public(byte_span data) {
  AP_TRY(auto pkey, parse_pkix(data));
  AP_TRYV(check_size(pkey.get()));
  // Re-encoded so that a BER-ish but accepted input still hashes to the
  // peer id go and js compute (they re-marshal too).
  return to_pkix(pkey.get());
}

bool verify(byte_span public_data, byte_span message, byte_span signature) {
  auto pkey = parse_pkix(public_data);
  if (!pkey || !check_size(pkey->get())) return false;
  if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey->get()))) return false;
  return evp_verify(pkey->get(), EVP_sha256(), message, signature);
}

result<impl_ptr> load_private(byte_span data) {
  AP_TRY(auto pkey, parse_traditional_private(EVP_PKEY_RSA, data));
  AP_TRYV(check_size(pkey.get()));
  return from_pkey(std::move(pkey));
}

result<impl_ptr> generate(unsigned bits) {
  if (bits < min_bits || bits > max_bits)
    return make_error(errc::invalid_argument,
                      "RSA key size must be between 2048 and 8192 bits, not " + std::to_string(bits));
  evp_pkey_ptr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!pkey) return openssl_failure("RSA key generation failed");
  return from_pkey(std::move(pkey));
}

}  // namespace agentp2p::crypto::detail::rsa_key
