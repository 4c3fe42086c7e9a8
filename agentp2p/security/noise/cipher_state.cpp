#include "agentp2p/security/noise/cipher_state.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "agentp2p/security/noise/chacha20.hpp"
#include "agentp2p/security/noise/poly1305.hpp"

namespace agentp2p::noise {

namespace {

// 2^64-1 is reserved by the Noise spec; a connection that gets there must end.
constexpr std::uint64_t nonce_limit = std::numeric_limits<std::uint64_t>::max();

error cipher_failure(const char* what) { return make_error(errc::crypto_error, std::string("noise: ") + what); }

int as_int(std::size_t n) { return static_cast<int>(n); }  // callers keep n <= max_message_len

// ChaCha20-Poly1305 (RFC 8439) for messages up to small_message bytes with
// no associated data (every transport message): one ChaCha20 pass over
// [64 zero bytes | message] yields the Poly1305 key (block 0) and the
// message's keystream (blocks 1..), and Poly1305 runs inline. libsodium's
// AEAD makes two ChaCha20 calls and goes through a generic Poly1305 state
// (init, update, final, wipes): about 2,900 instructions for a ping's
// 44 bytes, this about 1,500.
constexpr std::size_t block_len = 64;

struct small_scratch {
  alignas(16) std::uint8_t buf[block_len + small_message];
  std::size_t used = 0;
  ~small_scratch() { sodium_memzero(buf, used); }  // one-time key and plaintext
};

void tag_of(const std::uint8_t* poly_key, const std::uint8_t* ct, std::size_t n, std::uint8_t tag[16]) {
  detail::poly1305 mac(poly_key);
  mac.padded(ct, n);
  std::uint8_t lengths[16] = {};  // le64(ad length = 0), le64(n)
  for (int i = 0; i < 8; ++i) lengths[8 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> (8 * i));
  mac.blocks(lengths, 16);
  mac.finish(tag);
}

}  // namespace

void cipher_state::ctx_free::operator()(evp_cipher_ctx_st* c) const noexcept { EVP_CIPHER_CTX_free(c); }
void cipher_state::mac_free::operator()(evp_mac_ctx_st* c) const noexcept { EVP_MAC_CTX_free(c); }

cipher_state::cipher_state(cipher_state&& o) noexcept
    : ctx_(std::move(o.ctx_)),
      stream_ctx_(std::move(o.stream_ctx_)),
      mac_ctx_(std::move(o.mac_ctx_)),
      key_(o.key_),
      n_(o.n_),
      keyed_(o.keyed_) {
  OPENSSL_cleanse(o.key_.data(), o.key_.size());
  o.keyed_ = false;
}

cipher_state& cipher_state::operator=(cipher_state&& o) noexcept {
  if (this != &o) {
    ctx_ = std::move(o.ctx_);
    stream_ctx_ = std::move(o.stream_ctx_);
    mac_ctx_ = std::move(o.mac_ctx_);
    key_ = o.key_;
    n_ = o.n_;
    keyed_ = o.keyed_;
    OPENSSL_cleanse(o.key_.data(), o.key_.size());
    o.keyed_ = false;
  }
  return *this;
}

cipher_state::~cipher_state() { OPENSSL_cleanse(key_.data(), key_.size()); }

void cipher_state::nonce_bytes(std::uint8_t out[12]) const noexcept {
  // 32 bits of zeros, then the 64-bit counter little-endian.
  for (int i = 0; i < 4; ++i) out[i] = 0;
  for (int i = 0; i < 8; ++i) out[4 + i] = static_cast<std::uint8_t>(n_ >> (8 * i));
}

void cipher_state::initialize_key(const cipher_key& k) {
  if (sodium_init() < 0) throw std::runtime_error("noise: libsodium failed to initialise");
  key_ = k;
  keyed_ = true;
  ctx_.reset();  // bound to the new key by the first large message
  stream_ctx_.reset();
  mac_ctx_.reset();
  n_ = 0;
}

// The OpenSSL context (about 1 kB) is made by the first message too large
// for libsodium: most connections never send one, and an idle connection
// should not keep two.
result<void> cipher_state::bind_context() {
  ctx_.reset(EVP_CIPHER_CTX_new());
  if (!ctx_) return cipher_failure("out of memory for a cipher context");
  // Bind the cipher and key once; per message only the nonce changes.
  if (EVP_CipherInit_ex(ctx_.get(), EVP_chacha20_poly1305(), nullptr, key_.data(), nullptr, 1) != 1) {
    ctx_.reset();
    return cipher_failure("OpenSSL has no ChaCha20-Poly1305");
  }
  return ok();
}

result<void> cipher_state::set_nonce_iv(bool encrypt) {
  if (!keyed_) return cipher_failure("cipher used before a key was set");
  if (!ctx_) AP_TRYV(bind_context());
  if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
  std::uint8_t iv[12];
  nonce_bytes(iv);
  if (EVP_CipherInit_ex(ctx_.get(), nullptr, nullptr, nullptr, iv, encrypt ? 1 : 0) != 1)
    return cipher_failure("could not set the nonce");
  return ok();
}

result<void> cipher_state::begin_encrypt(byte_span ad) {
  AP_TRYV(set_nonce_iv(true));
  int len = 0;
  if (!ad.empty() && EVP_EncryptUpdate(ctx_.get(), nullptr, &len, ad.data(), as_int(ad.size())) != 1)
    return cipher_failure("could not authenticate associated data");
  return ok();
}

result<void> cipher_state::update_encrypt(byte_span in, std::uint8_t* out) {
  if (in.empty()) return ok();
  int len = 0;
  // ChaCha20 is a stream cipher: OpenSSL writes exactly in.size() bytes.
  if (EVP_EncryptUpdate(ctx_.get(), out, &len, in.data(), as_int(in.size())) != 1 ||
      len != as_int(in.size()))
    return cipher_failure("encryption failed");
  return ok();
}

result<void> cipher_state::finish_encrypt(std::uint8_t* tag_out) {
  int len = 0;
  std::uint8_t none[1];
  if (EVP_EncryptFinal_ex(ctx_.get(), none, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, as_int(tag_len), tag_out) != 1)
    return cipher_failure("encryption failed");
  ++n_;
  return ok();
}

result<void> cipher_state::encrypt_with_ad(byte_span ad, byte_span plaintext, std::uint8_t* out) {
  if (plaintext.size() <= small_message && ad.empty()) {
    if (!keyed_) return cipher_failure("cipher used before a key was set");
    if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
    std::uint8_t iv[12];
    nonce_bytes(iv);
    const std::size_t n = plaintext.size();
    small_scratch s;
    s.used = block_len + n;
    std::memset(s.buf, 0, block_len);
    if (n > 0) std::memcpy(s.buf + block_len, plaintext.data(), n);
    detail::chacha20_xor(s.buf, s.used, iv, key_.data());
    tag_of(s.buf, s.buf + block_len, n, out + n);  // (the tag lies beyond the plaintext `out` may alias)
    if (n > 0) std::memcpy(out, s.buf + block_len, n);
    ++n_;
    return ok();
  }
  if (plaintext.size() <= small_message) {
    if (!keyed_) return cipher_failure("cipher used before a key was set");
    if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
    std::uint8_t iv[12];
    nonce_bytes(iv);
    // libsodium allows in place (out == plaintext) as well as disjoint buffers.
    if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(out, out + plaintext.size(), nullptr, plaintext.data(),
                                                           plaintext.size(), ad.data(), ad.size(), nullptr, iv,
                                                           key_.data()) != 0)
      return cipher_failure("encryption failed");
    ++n_;
    return ok();
  }
  AP_TRYV(begin_encrypt(ad));
  AP_TRYV(update_encrypt(plaintext, out));
  return finish_encrypt(out + plaintext.size());
}

result<void> cipher_state::authenticate(byte_span ciphertext) {
  if (!keyed_) return cipher_failure("cipher used before a key was set");
  if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
  if (ciphertext.size() < tag_len) return cipher_failure("message failed to decrypt (shorter than its tag)");
  if (!stream_ctx_) {
    static EVP_MAC* const poly1305 = EVP_MAC_fetch(nullptr, "POLY1305", nullptr);
    if (!poly1305) return cipher_failure("OpenSSL has no Poly1305");
    stream_ctx_.reset(EVP_CIPHER_CTX_new());
    mac_ctx_.reset(EVP_MAC_CTX_new(poly1305));
    if (!stream_ctx_ || !mac_ctx_ ||
        EVP_CipherInit_ex(stream_ctx_.get(), EVP_chacha20(), nullptr, key_.data(), nullptr, 1) != 1) {
      stream_ctx_.reset();
      mac_ctx_.reset();
      return cipher_failure("OpenSSL has no ChaCha20");
    }
  }
  // ChaCha20's IV here: the 32-bit block counter (0), then the 96-bit nonce.
  std::uint8_t iv[16] = {};
  nonce_bytes(iv + 4);
  std::uint8_t block0[64] = {};
  int len = 0;
  // Block 0's keystream: its first 32 bytes are the Poly1305 key. The
  // context then stands at block 1, where the message's keystream begins.
  if (EVP_CipherInit_ex(stream_ctx_.get(), nullptr, nullptr, nullptr, iv, 1) != 1 ||
      EVP_CipherUpdate(stream_ctx_.get(), block0, &len, block0, sizeof block0) != 1 || len != sizeof block0)
    return cipher_failure("message failed to decrypt");
  const std::size_t n = ciphertext.size() - tag_len;
  static constexpr std::uint8_t zeros[16] = {};
  std::uint8_t lengths[16] = {};  // le64(ad length = 0), le64(n)
  for (int i = 0; i < 8; ++i) lengths[8 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(n) >> (8 * i));
  std::uint8_t tag[tag_len];
  std::size_t tag_size = 0;
  const bool maced = EVP_MAC_init(mac_ctx_.get(), block0, 32, nullptr) == 1 &&
                     EVP_MAC_update(mac_ctx_.get(), ciphertext.data(), n) == 1 &&
                     EVP_MAC_update(mac_ctx_.get(), zeros, (16 - n % 16) % 16) == 1 &&
                     EVP_MAC_update(mac_ctx_.get(), lengths, sizeof lengths) == 1 &&
                     EVP_MAC_final(mac_ctx_.get(), tag, &tag_size, sizeof tag) == 1 && tag_size == tag_len;
  OPENSSL_cleanse(block0, sizeof block0);
  if (!maced || CRYPTO_memcmp(tag, ciphertext.data() + n, tag_len) != 0)
    return cipher_failure("message failed to decrypt");
  ++n_;
  return ok();
}

result<void> cipher_state::reveal(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  int len = 0;
  if (n > 0 && (!stream_ctx_ || EVP_CipherUpdate(stream_ctx_.get(), out, &len, in, as_int(n)) != 1 ||
                len != as_int(n)))
    return cipher_failure("message failed to decrypt");
  return ok();
}

result<std::size_t> cipher_state::decrypt_with_ad(byte_span ad, byte_span ciphertext, std::uint8_t* out) {
  if (ciphertext.size() < tag_len) return make_error(errc::crypto_error, "noise: message failed to decrypt (shorter than its tag)");
  const std::size_t n = ciphertext.size() - tag_len;
  if (n <= small_message && ad.empty()) {
    if (!keyed_) return cipher_failure("cipher used before a key was set");
    if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
    std::uint8_t iv[12];
    nonce_bytes(iv);
    small_scratch s;
    s.used = block_len + n;
    std::memset(s.buf, 0, block_len);
    if (n > 0) std::memcpy(s.buf + block_len, ciphertext.data(), n);
    detail::chacha20_xor(s.buf, s.used, iv, key_.data());
    std::uint8_t tag[tag_len];
    tag_of(s.buf, ciphertext.data(), n, tag);  // over the ciphertext, still intact in the input
    if (crypto_verify_16(tag, ciphertext.data() + n) != 0) return cipher_failure("message failed to decrypt");
    if (n > 0) std::memcpy(out, s.buf + block_len, n);
    ++n_;
    return n;
  }
  if (n <= small_message) {
    if (!keyed_) return cipher_failure("cipher used before a key was set");
    if (n_ == nonce_limit) return cipher_failure("nonce exhausted (2^64-1 messages); the connection must be closed");
    std::uint8_t iv[12];
    nonce_bytes(iv);
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(out, nullptr, ciphertext.data(), n, ciphertext.data() + n,
                                                           ad.data(), ad.size(), iv, key_.data()) != 0)
      return cipher_failure("message failed to decrypt");
    ++n_;
    return n;
  }
  AP_TRYV(set_nonce_iv(false));
  // Copy the tag first: `out` may alias the ciphertext but never reaches the tag.
  std::uint8_t tag[tag_len];
  std::copy_n(ciphertext.data() + n, tag_len, tag);
  int len = 0;
  if (!ad.empty() && EVP_DecryptUpdate(ctx_.get(), nullptr, &len, ad.data(), as_int(ad.size())) != 1)
    return cipher_failure("message failed to decrypt");
  if (n > 0 && EVP_DecryptUpdate(ctx_.get(), out, &len, ciphertext.data(), as_int(n)) != 1)
    return cipher_failure("message failed to decrypt");
  std::uint8_t none[1];
  if (EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_SET_TAG, as_int(tag_len), tag) != 1 ||
      EVP_DecryptFinal_ex(ctx_.get(), none, &len) != 1)
    return cipher_failure("message failed to decrypt");
  ++n_;
  return n;
}

}  // namespace agentp2p::noise
