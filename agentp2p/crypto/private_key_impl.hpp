// Internal to agentp2p/crypto: what a private_key holds.
#pragma once

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/openssl_util.hpp"

namespace agentp2p::crypto {

struct private_key::impl {
  key_type type;
  bytes secret;            // the PrivateKey Data field, canonical form; wiped on destruction
  crypto::public_key pub;  // derived from the secret, never taken from input
  detail::evp_pkey_ptr pkey;  // OpenSSL handle; null for secp256k1 (libsecp256k1 signs from `secret`)

  impl(key_type t, bytes s, crypto::public_key p, detail::evp_pkey_ptr k)
      : type(t), secret(std::move(s)), pub(std::move(p)), pkey(std::move(k)) {}
  impl(const impl& o) : type(o.type), secret(o.secret), pub(o.pub), pkey(detail::share(o.pkey)) {}
  impl& operator=(const impl&) = delete;
  ~impl() { detail::cleanse(secret); }
};

}  // namespace agentp2p::crypto
