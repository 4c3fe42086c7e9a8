#include "agentp2p/security/noise/x25519.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace agentp2p::noise {

namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct pkey_ctx_free {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, pkey_ctx_free>;

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
  pkey_ptr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
  if (!key) throw std::runtime_error("noise: OpenSSL could not load an X25519 key");
  x25519_keypair kp;
  kp.private_key = priv;
  std::size_t len = kp.public_key.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), kp.public_key.data(), &len) != 1 || len != dh_len)
    throw std::runtime_error("noise: OpenSSL could not derive an X25519 public key");
  return kp;
}

result<dh_key> x25519(const dh_key& priv, byte_span remote_public) {
  if (remote_public.size() != dh_len) return make_error(errc::crypto_error, "noise: X25519 public key is not 32 bytes");
  pkey_ptr local(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
  pkey_ptr remote(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, remote_public.data(), remote_public.size()));
  if (!local || !remote) return make_error(errc::crypto_error, "noise: OpenSSL could not load an X25519 key");
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new(local.get(), nullptr));
  dh_key out{};
  std::size_t len = out.size();
  // OpenSSL refuses to derive an all-zero shared secret (low-order points).
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), remote.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != dh_len) {
    OPENSSL_cleanse(out.data(), out.size());
    return make_error(errc::crypto_error, "noise: X25519 key agreement failed (invalid or low-order public key)");
  }
  return out;
}

}  // namespace agentp2p::noise
