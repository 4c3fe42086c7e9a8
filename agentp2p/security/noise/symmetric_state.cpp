#include "agentp2p/security/noise/symmetric_state.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <sodium.h>

namespace agentp2p::noise {

namespace {

// SHA-256 and HMAC-SHA256 through libsodium: a handshake makes dozens of
// these calls on short inputs, where OpenSSL 3's per-call context and
// algorithm fetch cost more than the hashing.

// HASH(a || b) without concatenating first.
hash_value sha256_2(byte_span a, byte_span b) {
  crypto_hash_sha256_state st;
  hash_value out{};
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, a.data(), a.size());
  crypto_hash_sha256_update(&st, b.data(), b.size());
  crypto_hash_sha256_final(&st, out.data());
  return out;
}

hash_value hmac_sha256(byte_span key, byte_span data) {
  crypto_auth_hmacsha256_state st;
  hash_value out{};
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, data.data(), data.size());
  crypto_auth_hmacsha256_final(&st, out.data());
  sodium_memzero(&st, sizeof st);
  return out;
}

void wipe(hash_value& v) { OPENSSL_cleanse(v.data(), v.size()); }

}  // namespace

std::pair<hash_value, hash_value> hkdf2(const hash_value& chaining_key, byte_span input_key_material) {
  hash_value temp_key = hmac_sha256(chaining_key, input_key_material);
  const std::uint8_t one = 0x01;
  hash_value out1 = hmac_sha256(temp_key, byte_span(&one, 1));
  std::array<std::uint8_t, hash_len + 1> second_input;
  std::copy(out1.begin(), out1.end(), second_input.begin());
  second_input[hash_len] = 0x02;
  hash_value out2 = hmac_sha256(temp_key, second_input);
  wipe(temp_key);
  OPENSSL_cleanse(second_input.data(), second_input.size());
  return {out1, out2};
}

symmetric_state::symmetric_state(std::string_view protocol_name) {
  // InitializeSymmetric: a name of at most HASHLEN bytes is zero-padded,
  // a longer one is hashed.
  auto name = as_bytes(protocol_name);
  if (name.size() <= hash_len)
    std::copy(name.begin(), name.end(), h_.begin());
  else
    h_ = sha256_2(name, {});
  ck_ = h_;
}

symmetric_state::~symmetric_state() {
  wipe(ck_);
  wipe(h_);
}

void symmetric_state::mix_hash(byte_span data) { h_ = sha256_2(h_, data); }

void symmetric_state::mix_key(byte_span input_key_material) {
  auto [ck, temp_k] = hkdf2(ck_, input_key_material);
  ck_ = ck;
  cipher_.initialize_key(temp_k);  // HASHLEN is 32: no truncation needed
  wipe(ck);
  wipe(temp_k);
}

result<void> symmetric_state::encrypt_and_hash(byte_span plaintext, bytes& out) {
  const std::size_t at = out.size();
  if (!cipher_.has_key()) {
    out.insert(out.end(), plaintext.begin(), plaintext.end());
  } else {
    out.resize(at + plaintext.size() + tag_len);
    AP_TRYV(cipher_.encrypt_with_ad(h_, plaintext, out.data() + at));
  }
  mix_hash(byte_span(out).subspan(at));
  return ok();
}

result<void> symmetric_state::decrypt_and_hash(byte_span ciphertext, bytes& out) {
  if (!cipher_.has_key()) {
    out.insert(out.end(), ciphertext.begin(), ciphertext.end());
  } else {
    if (ciphertext.size() < tag_len)
      return make_error(errc::crypto_error, "noise: message failed to decrypt (shorter than its tag)");
    const std::size_t at = out.size();
    out.resize(at + ciphertext.size() - tag_len);
    auto n = cipher_.decrypt_with_ad(h_, ciphertext, out.data() + at);
    if (!n) {
      out.resize(at);
      return std::move(n).error();
    }
  }
  mix_hash(ciphertext);
  return ok();
}

std::pair<cipher_state, cipher_state> symmetric_state::split() {
  auto [k1, k2] = hkdf2(ck_, {});
  std::pair<cipher_state, cipher_state> out;
  out.first.initialize_key(k1);
  out.second.initialize_key(k2);
  wipe(k1);
  wipe(k2);
  return out;
}

}  // namespace agentp2p::noise
