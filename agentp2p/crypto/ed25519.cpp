// Ed25519 keys: raw 32-byte public keys, private keys as seed || public.
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "agentp2p/crypto/key_types.hpp"

namespace agentp2p::crypto::detail::ed25519_key {
namespace {

constexpr std::size_t key_size = 32;
constexpr std::size_t signature_size = 64;

result<impl_ptr> from_pkey(evp_pkey_ptr pkey) {
  bytes secret(2 * key_size);
  std::size_t seed_len = key_size, pub_len = key_size;
  if (EVP_PKEY_get_raw_private_key(pkey.get(), secret.data(), &seed_len) != 1 ||
      EVP_PKEY_get_raw_public_key(pkey.get(), secret.data() + key_size, &pub_len) != 1 ||
      seed_len != key_size || pub_len != key_size) {
    cleanse(secret);
    return openssl_failure("ed25519: cannot export key");
  }
  auto pub = public_key::from_raw(key_type::ed25519, byte_span(secret).subspan(key_size));
  if (!pub) {
    cleanse(secret);
    return std::move(pub).error();
  }
  return std::make_unique<private_key::impl>(key_type::ed25519, std::move(secret),
                                             std::move(*pub), std::move(pkey));
}

}  // namespace

result<bytes> check_public(byte_span data) {
  // Any 32 bytes are accepted, as go/js/rust do; a point that does not
  // decode simply never verifies.
  if (data.size() != key_size)
    return make_error(errc::decode_error, "ed25519 public key must be 32 bytes, got " +
                                              std::to_string(data.size()));
  return bytes(data.begin(), data.end());
}

// libsodium, not OpenSSL: every connection verifies the peer's signature
// in the Noise handshake (and identify's signed record), and OpenSSL 3 built
// a key object and fetched the algorithm per call — 1.5 M instructions per
// verification, about 40 % of an inbound handshake. libsodium also refuses
// small-order and non-canonical keys and signatures, which no honest peer
// produces.
bool verify(byte_span public_data, byte_span message, byte_span signature) {
  if (public_data.size() != key_size || signature.size() != signature_size) return false;
  static const bool ready = sodium_init() >= 0;
  if (!ready) return false;
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             public_data.data()) == 0;
}

result<impl_ptr> load_private(byte_span data) {
  if (data.size() != key_size && data.size() != 2 * key_size && data.size() != 3 * key_size)
    return make_error(errc::decode_error, "ed25519 private key must be 32, 64 or 96 bytes, got " +
                                              std::to_string(data.size()));
  evp_pkey_ptr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, data.data(), key_size));
  if (!pkey) return openssl_failure("ed25519: invalid private key");
  AP_TRY(auto k, from_pkey(std::move(pkey)));
  // The stored public half must be the one the seed derives: a mismatch
  // would make every signature we produce fail to verify. The legacy 96-byte
  // form repeats the public key, so both copies are checked.
  const byte_span derived = byte_span(k->secret).subspan(key_size);
  for (std::size_t off = key_size; off < data.size(); off += key_size)
    if (!std::equal(derived.begin(), derived.end(), data.begin() + off))
      return make_error(errc::decode_error, "ed25519 private key: public half does not match the seed");
  return k;
}

impl_ptr generate() {
  evp_pkey_ptr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!pkey) throw result_error(openssl_failure("ed25519 key generation failed"));
  auto k = from_pkey(std::move(pkey));
  if (!k) throw result_error(std::move(k).error());
  return std::move(*k);
}

}  // namespace agentp2p::crypto::detail::ed25519_key
