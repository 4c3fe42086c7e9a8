#include "agentp2p/security/noise/x25519.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>

namespace agentp2p::noise {

namespace {

// libsodium: one call per operation. OpenSSL 3's EVP_PKEY route builds key
// objects and a context per Diffie-Hellman (provider lookups included),
// which showed up as the largest cost of a fresh connection.
void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("noise: libsodium failed to initialise");
}

}  // namespace

x25519_keypair::~x25519_keypair() { OPENSSL_cleanse(private_key.data(), private_key.size()); }

x25519_keypair x25519_keypair::generate() {
  dh_key priv;
  // A failing CSPRNG is not something a peer can cause: treat it as fatal.
  if (RAND_priv_bytes(priv.data(), static_cast<int>(priv.size())) != 1)
    throw std::runtime_error("noise: the random number generator failed");
  auto kp = from_private(priv);
  OPENSSL_cleanse(priv.data(), priv.size());
  return kp;
}

x25519_keypair x25519_keypair::from_private(const dh_key& priv) {
  ensure_sodium();
  x25519_keypair kp;
  kp.private_key = priv;
  if (crypto_scalarmult_base(kp.public_key.data(), priv.data()) != 0)
    throw std::runtime_error("noise: could not derive an X25519 public key");
  return kp;
}

result<dh_key> x25519(const dh_key& priv, byte_span remote_public) {
  if (remote_public.size() != dh_len) return make_error(errc::crypto_error, "noise: X25519 public key is not 32 bytes");
  ensure_sodium();
  dh_key out{};
  // libsodium refuses an all-zero shared secret (low-order points).
  if (crypto_scalarmult(out.data(), priv.data(), remote_public.data()) != 0) {
    OPENSSL_cleanse(out.data(), out.size());
    return make_error(errc::crypto_error, "noise: X25519 key agreement failed (invalid or low-order public key)");
  }
  return out;
}

}  // namespace agentp2p::noise
