// secp256k1 keys (libsecp256k1): 33-byte compressed public keys, 32-byte
// secret scalars, ECDSA over SHA-256 with DER ("Bitcoin") signatures.
#include <openssl/rand.h>
#include <secp256k1.h>

#include <array>
#include <stdexcept>

#include "agentp2p/crypto/key_types.hpp"
#include "agentp2p/crypto/sha256.hpp"

namespace agentp2p::crypto::detail::secp256k1_key {
namespace {

constexpr std::size_t compressed_size = 33;
constexpr std::size_t uncompressed_size = 65;
constexpr std::size_t secret_size = 32;
constexpr std::size_t max_der_signature = 72;

struct context_free {
  void operator()(secp256k1_context* c) const noexcept { secp256k1_context_destroy(c); }
};

// One context for the process: after creation (and randomization, which
// hardens signing against side channels) libsecp256k1 only reads it, so it
// is safe to share between threads.
const secp256k1_context* context() {
  static const std::unique_ptr<secp256k1_context, context_free> ctx = [] {
    std::unique_ptr<secp256k1_context, context_free> c(
        secp256k1_context_create(SECP256K1_CONTEXT_NONE));
    if (!c) throw std::runtime_error("secp256k1: cannot create context");
    std::array<unsigned char, 32> seed{};
    if (RAND_bytes(seed.data(), seed.size()) != 1 ||
        secp256k1_context_randomize(c.get(), seed.data()) != 1)
      throw std::runtime_error("secp256k1: cannot randomize context");
    return c;
  }();
  return ctx.get();
}

result<bytes> compressed_public(byte_span secret) {
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_create(context(), &pk, secret.data()) != 1)
    return make_error(errc::decode_error, "secp256k1: invalid secret key");
  bytes out(compressed_size);
  std::size_t len = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
  return out;
}

}  // namespace

result<bytes> check_public(byte_span data) {
  if (data.size() != compressed_size && data.size() != uncompressed_size)
    return make_error(errc::decode_error, "secp256k1 public key must be 33 or 65 bytes, got " +
                                              std::to_string(data.size()));
  secp256k1_pubkey pk;
  if (secp256k1_ec_pubkey_parse(context(), &pk, data.data(), data.size()) != 1)
    return make_error(errc::decode_error, "secp256k1 public key is not a point on the curve");
  // The compressed form is canonical: it is what peer ids are computed over.
  bytes out(compressed_size);
  std::size_t len = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
  return out;
}

bool verify(byte_span public_data, byte_span message, byte_span signature) {
  if (signature.empty() || signature.size() > max_der_signature) return false;
  secp256k1_pubkey pk;
  secp256k1_ecdsa_signature sig;
  if (secp256k1_ec_pubkey_parse(context(), &pk, public_data.data(), public_data.size()) != 1 ||
      secp256k1_ecdsa_signature_parse_der(context(), &sig, signature.data(), signature.size()) != 1)
    return false;
  // libsecp256k1 only accepts low-S signatures; go and js produce them, but
  // high-S ones are equally valid ECDSA, so accept both.
  secp256k1_ecdsa_signature_normalize(context(), &sig, &sig);
  const sha256_digest digest = sha256(message);
  return secp256k1_ecdsa_verify(context(), &sig, digest.data(), &pk) == 1;
}

result<impl_ptr> load_private(byte_span data) {
  if (data.size() != secret_size)
    return make_error(errc::decode_error, "secp256k1 private key must be 32 bytes, got " +
                                              std::to_string(data.size()));
  if (secp256k1_ec_seckey_verify(context(), data.data()) != 1)
    return make_error(errc::decode_error, "secp256k1 private key is out of range");
  AP_TRY(auto raw, compressed_public(data));
  AP_TRY(auto pub, public_key::from_raw(key_type::secp256k1, raw));
  return std::make_unique<private_key::impl>(key_type::secp256k1, bytes(data.begin(), data.end()),
                                             std::move(pub), nullptr);
}

impl_ptr generate() {
  bytes secret(secret_size);
  // A uniformly random 32-byte string is out of range with probability ~2^-128.
  do {
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
      throw std::runtime_error("secp256k1: random number generator failed");
  } while (secp256k1_ec_seckey_verify(context(), secret.data()) != 1);
  auto k = load_private(secret);
  cleanse(secret);
  if (!k) throw result_error(std::move(k).error());
  return std::move(*k);
}

result<bytes> sign(byte_span secret, byte_span message) {
  const sha256_digest digest = sha256(message);
  secp256k1_ecdsa_signature sig;
  // Default nonce function: RFC 6979, deterministic; output is low-S.
  if (secp256k1_ecdsa_sign(context(), &sig, digest.data(), secret.data(), nullptr, nullptr) != 1)
    return make_error(errc::crypto_error, "secp256k1: signing failed");
  bytes out(max_der_signature);
  std::size_t len = out.size();
  if (secp256k1_ecdsa_signature_serialize_der(context(), out.data(), &len, &sig) != 1)
    return make_error(errc::crypto_error, "secp256k1: cannot encode signature");
  out.resize(len);
  return out;
}

}  // namespace agentp2p::crypto::detail::secp256k1_key
