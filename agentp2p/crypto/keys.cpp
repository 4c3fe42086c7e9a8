// public_key / private_key: validation and dispatch to the per-type code in
// ed25519.cpp, secp256k1.cpp, ecdsa.cpp and rsa.cpp.
#include "agentp2p/crypto/keys.hpp"

#include "agentp2p/crypto/key_codec.hpp"
#include "agentp2p/crypto/key_types.hpp"

namespace agentp2p::crypto {
namespace {

bool known(key_type t) {
  switch (t) {
    case key_type::rsa:
    case key_type::ed25519:
    case key_type::secp256k1:
    case key_type::ecdsa:
      return true;
  }
  return false;
}

agentp2p::error unknown_type(key_type t) {
  return make_error(errc::decode_error,
                    "unknown key type " + std::to_string(static_cast<unsigned>(t)));
}

// Wipes a decoded PrivateKey's Data on every path out of from_protobuf.
struct wipe_on_exit {
  bytes& b;
  ~wipe_on_exit() { detail::cleanse(b); }
};

}  // namespace

std::string_view to_string(key_type t) noexcept {
  switch (t) {
    case key_type::rsa: return "RSA";
    case key_type::ed25519: return "Ed25519";
    case key_type::secp256k1: return "Secp256k1";
    case key_type::ecdsa: return "ECDSA";
  }
  return "unknown";
}

// ---- public_key ----

result<public_key> public_key::from_raw(key_type type, byte_span data) {
  if (data.size() > detail::max_key_message_size)
    return make_error(errc::too_large, std::string(to_string(type)) + " public key of " +
                                           std::to_string(data.size()) + " bytes is too large");
  result<bytes> canonical = [&]() -> result<bytes> {
    switch (type) {
      case key_type::ed25519: return detail::ed25519_key::check_public(data);
      case key_type::secp256k1: return detail::secp256k1_key::check_public(data);
      case key_type::ecdsa: return detail::ecdsa_key::check_public(data);
      case key_type::rsa: return detail::rsa_key::check_public(data);
    }
    return unknown_type(type);
  }();
  if (!canonical) return std::move(canonical).error();
  return public_key(type, std::move(*canonical));
}

result<public_key> public_key::from_protobuf(byte_span encoded) {
  AP_TRY(auto msg, detail::decode_public_key(encoded));
  if (!known(msg.type)) return unknown_type(msg.type);
  return from_raw(msg.type, msg.data);
}

bytes public_key::to_protobuf() const { return detail::encode_public_key(type_, data_); }

bool public_key::verify(byte_span message, byte_span signature) const {
  switch (type_) {
    case key_type::ed25519: return detail::ed25519_key::verify(data_, message, signature);
    case key_type::secp256k1: return detail::secp256k1_key::verify(data_, message, signature);
    case key_type::ecdsa: return detail::ecdsa_key::verify(data_, message, signature);
    case key_type::rsa: return detail::rsa_key::verify(data_, message, signature);
  }
  return false;
}

// ---- private_key ----

private_key::private_key(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
private_key::private_key(private_key&&) noexcept = default;
private_key& private_key::operator=(private_key&&) noexcept = default;
// A moved-from key has no impl; copying one yields another empty key.
private_key::private_key(const private_key& o)
    : impl_(o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr) {}
private_key& private_key::operator=(const private_key& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr;
  return *this;
}
private_key::~private_key() = default;

private_key private_key::generate_ed25519() { return private_key(detail::ed25519_key::generate()); }
private_key private_key::generate_secp256k1() {
  return private_key(detail::secp256k1_key::generate());
}
private_key private_key::generate_ecdsa_p256() { return private_key(detail::ecdsa_key::generate()); }

result<private_key> private_key::generate_rsa(unsigned bits) {
  AP_TRY(auto i, detail::rsa_key::generate(bits));
  return private_key(std::move(i));
}

result<private_key> private_key::from_protobuf(byte_span encoded) {
  AP_TRY(auto msg, detail::decode_private_key(encoded));
  wipe_on_exit wipe{msg.data};
  auto loaded = [&]() -> result<detail::impl_ptr> {
    switch (msg.type) {
      case key_type::ed25519: return detail::ed25519_key::load_private(msg.data);
      case key_type::secp256k1: return detail::secp256k1_key::load_private(msg.data);
      case key_type::ecdsa: return detail::ecdsa_key::load_private(msg.data);
      case key_type::rsa: return detail::rsa_key::load_private(msg.data);
    }
    return unknown_type(msg.type);
  }();
  if (!loaded) return std::move(loaded).error();
  return private_key(std::move(*loaded));
}

bytes private_key::to_protobuf() const {
  return detail::encode_private_key(impl_->type, impl_->secret);
}

key_type private_key::type() const noexcept { return impl_->type; }
const crypto::public_key& private_key::public_key() const noexcept { return impl_->pub; }

result<bytes> private_key::sign(byte_span message) const {
  switch (impl_->type) {
    case key_type::ed25519: return detail::evp_sign(impl_->pkey.get(), nullptr, message);
    case key_type::secp256k1: return detail::secp256k1_key::sign(impl_->secret, message);
    case key_type::ecdsa:
    case key_type::rsa: return detail::evp_sign(impl_->pkey.get(), EVP_sha256(), message);
  }
  return unknown_type(impl_->type);
}

}  // namespace agentp2p::crypto
