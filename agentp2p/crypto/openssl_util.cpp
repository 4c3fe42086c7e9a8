#include "agentp2p/crypto/openssl_util.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <climits>

namespace agentp2p::crypto::detail {
namespace {

// d2i_* take a long length; our inputs are bounded far below this anyway.
bool fits_long(byte_span der) { return der.size() <= static_cast<std::size_t>(LONG_MAX); }

// i2d_* output allocated by OpenSSL, copied out and wiped (it may be a secret).
struct openssl_buffer {
  unsigned char* p = nullptr;
  int len = 0;
  ~openssl_buffer() {
    if (p) OPENSSL_clear_free(p, static_cast<std::size_t>(len > 0 ? len : 0));
  }
  bytes copy() const { return bytes(p, p + len); }
};

}  // namespace

evp_pkey_ptr share(const evp_pkey_ptr& key) {
  if (!key) return nullptr;
  if (EVP_PKEY_up_ref(key.get()) != 1) throw std::bad_alloc();
  return evp_pkey_ptr(key.get());
}

agentp2p::error openssl_failure(std::string_view what) {
  std::string msg(what);
  if (unsigned long code = ERR_peek_last_error(); code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    msg += ": ";
    msg += reason;
  }
  ERR_clear_error();
  return make_error(errc::crypto_error, std::move(msg));
}

void cleanse(bytes& secret) noexcept {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

result<bytes> evp_sign(EVP_PKEY* key, const EVP_MD* md, byte_span message) {
  evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1)
    return openssl_failure("sign: init failed");
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    return openssl_failure("sign: size query failed");
  bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    return openssl_failure("sign failed");
  sig.resize(len);  // DER ECDSA signatures are often shorter than the maximum
  return sig;
}

bool evp_verify(EVP_PKEY* key, const EVP_MD* md, byte_span message, byte_span signature) {
  evp_md_ctx_ptr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                             message.size()) == 1;
  // A bad signature queues errors too; they are an answer, not a failure.
  ERR_clear_error();
  return ok;
}

result<evp_pkey_ptr> parse_pkix(byte_span der) {
  if (!fits_long(der)) return make_error(errc::too_large, "public key DER too large");
  const unsigned char* p = der.data();
  evp_pkey_ptr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return openssl_failure("invalid DER SubjectPublicKeyInfo");
  if (p != der.data() + der.size())
    return make_error(errc::decode_error, "trailing bytes after DER SubjectPublicKeyInfo");
  return key;
}

result<bytes> to_pkix(EVP_PKEY* key) {
  openssl_buffer out;
  out.len = i2d_PUBKEY(key, &out.p);
  if (out.len <= 0) return openssl_failure("cannot encode public key as PKIX DER");
  return out.copy();
}

result<evp_pkey_ptr> parse_traditional_private(int evp_type, byte_span der) {
  if (!fits_long(der)) return make_error(errc::too_large, "private key DER too large");
  const unsigned char* p = der.data();
  evp_pkey_ptr key(d2i_PrivateKey(evp_type, nullptr, &p, static_cast<long>(der.size())));
  if (!key) return openssl_failure("invalid DER private key");
  if (p != der.data() + der.size())
    return make_error(errc::decode_error, "trailing bytes after DER private key");
  return key;
}

result<bytes> to_traditional_private(EVP_PKEY* key) {
  openssl_buffer out;
  out.len = i2d_PrivateKey(key, &out.p);
  if (out.len <= 0) return openssl_failure("cannot encode private key as DER");
  return out.copy();
}

}  // namespace agentp2p::crypto::detail
