// SHA256_Init & co. are deprecated in OpenSSL 3; see hmac_sha256 for why we
// use them. Defined before any header can pull in <openssl/macros.h>.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "agentp2p/security/noise/symmetric_state.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace agentp2p::noise {

namespace {

// SHA-256 and HMAC-SHA256 through OpenSSL's low-level SHA256_* functions.
// A handshake makes dozens of these calls on short inputs. OpenSSL 3's EVP
// interface fetches the algorithm and builds a context per call, which cost
// more than the hashing; libsodium has no SHA extensions code (~1.5 µs per
// HMAC here). SHA256_Init/Update/Final are deprecated in OpenSSL 3 but
// present, call the block function directly and use the CPU's SHA
// instructions when it has them: ~0.26 µs per HMAC on this machine (measured
// side by side; both give the same bytes, and the Noise test vectors in
// handshake_state_test.cpp check every HKDF of a handshake).

// HASH(a || b) without concatenating first.
hash_value sha256_2(byte_span a, byte_span b) {
  SHA256_CTX c;
  hash_value out{};
  SHA256_Init(&c);
  SHA256_Update(&c, a.data(), a.size());
  SHA256_Update(&c, b.data(), b.size());
  SHA256_Final(out.data(), &c);
  return out;
}

// RFC 2104 over SHA-256 (block 64 bytes); key material is wiped after use.
hash_value hmac_sha256(byte_span key, byte_span data) {
  constexpr std::size_t block = 64;
  hash_value hashed_key{};
  if (key.size() > block) {
    SHA256(key.data(), key.size(), hashed_key.data());
    key = hashed_key;
  }
  std::array<std::uint8_t, block> pad;
  SHA256_CTX c;
  hash_value inner{}, out{};
  pad.fill(0x36);
  for (std::size_t i = 0; i < key.size(); ++i) pad[i] ^= key[i];
  SHA256_Init(&c);
  SHA256_Update(&c, pad.data(), pad.size());
  SHA256_Update(&c, data.data(), data.size());
  SHA256_Final(inner.data(), &c);
  pad.fill(0x5c);
  for (std::size_t i = 0; i < key.size(); ++i) pad[i] ^= key[i];
  SHA256_Init(&c);
  SHA256_Update(&c, pad.data(), pad.size());
  SHA256_Update(&c, inner.data(), inner.size());
  SHA256_Final(out.data(), &c);
  OPENSSL_cleanse(pad.data(), pad.size());
  OPENSSL_cleanse(inner.data(), inner.size());
  OPENSSL_cleanse(hashed_key.data(), hashed_key.size());
  OPENSSL_cleanse(&c, sizeof c);
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
