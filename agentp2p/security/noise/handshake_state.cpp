#include "agentp2p/security/noise/handshake_state.hpp"

#include <algorithm>
#include <string>

#include <openssl/crypto.h>

namespace agentp2p::noise {

namespace {

// An encrypted static key: the 32-byte key plus the AEAD tag.
constexpr std::size_t encrypted_static_len = dh_len + tag_len;

dh_key take_key(byte_span in) {
  dh_key k;
  std::copy_n(in.begin(), dh_len, k.begin());
  return k;
}

error too_short(int index, std::size_t got, std::size_t need) {
  return make_error(errc::handshake_failed, "noise: handshake message " + std::to_string(index + 1) + " is " +
                                                std::to_string(got) + " bytes, shorter than the minimum " +
                                                std::to_string(need));
}

}  // namespace

handshake_state::handshake_state(role r, const x25519_keypair& static_keys, byte_span prologue,
                                 std::optional<x25519_keypair> ephemeral)
    : role_(r), ss_(protocol_name), s_(static_keys), e_(std::move(ephemeral)) {
  ss_.mix_hash(prologue);  // XX has no pre-messages
}

bool handshake_state::my_turn() const noexcept {
  // Even-numbered messages are the initiator's.
  return step_ < 3 && ((step_ % 2 == 0) == (role_ == role::initiator));
}

result<void> handshake_state::check_turn(bool writing) const {
  if (failed_) return make_error(errc::handshake_failed, "noise: the handshake already failed");
  if (step_ >= 3) return make_error(errc::invalid_argument, "noise: the handshake is already complete");
  if (my_turn() != writing)
    return make_error(errc::invalid_argument, writing ? "noise: it is the remote's turn to send a handshake message"
                                                      : "noise: it is our turn to send a handshake message");
  return ok();
}

result<void> handshake_state::mix_dh(const dh_key& priv, const dh_key& pub) {
  auto shared = x25519(priv, pub);
  if (!shared) return make_error(errc::handshake_failed, std::move(shared).error().message);
  ss_.mix_key(*shared);
  OPENSSL_cleanse(shared->data(), shared->size());
  return ok();
}

result<bytes> handshake_state::write_message(byte_span payload) {
  AP_TRYV(check_turn(true));
  failed_ = true;  // cleared on success, so an error leaves the state unusable
  bytes out;
  out.reserve(dh_len + encrypted_static_len + payload.size() + tag_len);
  switch (step_) {
    case 0:  // -> e
      if (!e_) e_ = x25519_keypair::generate();
      out.insert(out.end(), e_->public_key.begin(), e_->public_key.end());
      ss_.mix_hash(e_->public_key);
      break;
    case 1:  // <- e, ee, s, es   (we are the responder)
      if (!e_) e_ = x25519_keypair::generate();
      out.insert(out.end(), e_->public_key.begin(), e_->public_key.end());
      ss_.mix_hash(e_->public_key);
      AP_TRYV(mix_dh(e_->private_key, *re_));
      AP_TRYV(ss_.encrypt_and_hash(s_.public_key, out));
      AP_TRYV(mix_dh(s_.private_key, *re_));
      break;
    case 2:  // -> s, se   (we are the initiator)
      AP_TRYV(ss_.encrypt_and_hash(s_.public_key, out));
      AP_TRYV(mix_dh(s_.private_key, *re_));
      break;
  }
  const std::size_t payload_room = max_message_len - out.size() - (ss_.has_key() ? tag_len : 0);
  if (payload.size() > payload_room)
    return make_error(errc::too_large, "noise: handshake payload of " + std::to_string(payload.size()) +
                                           " bytes does not fit in one message (at most " +
                                           std::to_string(payload_room) + ")");
  AP_TRYV(ss_.encrypt_and_hash(payload, out));
  ++step_;
  failed_ = false;
  return out;
}

result<bytes> handshake_state::read_message(byte_span message) {
  AP_TRYV(check_turn(false));
  failed_ = true;
  if (message.size() > max_message_len)
    return make_error(errc::too_large, "noise: handshake message larger than 65535 bytes");
  bytes payload;
  switch (step_) {
    case 0: {  // -> e   (we are the responder)
      if (message.size() < dh_len) return too_short(0, message.size(), dh_len);
      re_ = take_key(message);
      ss_.mix_hash(*re_);
      message = message.subspan(dh_len);
      break;
    }
    case 1: {  // <- e, ee, s, es   (we are the initiator)
      const std::size_t need = dh_len + encrypted_static_len + tag_len;
      if (message.size() < need) return too_short(1, message.size(), need);
      re_ = take_key(message);
      ss_.mix_hash(*re_);
      AP_TRYV(mix_dh(e_->private_key, *re_));
      bytes rs;
      AP_TRYV(ss_.decrypt_and_hash(message.subspan(dh_len, encrypted_static_len), rs));
      rs_ = take_key(rs);
      AP_TRYV(mix_dh(e_->private_key, *rs_));
      message = message.subspan(dh_len + encrypted_static_len);
      break;
    }
    case 2: {  // -> s, se   (we are the responder)
      const std::size_t need = encrypted_static_len + tag_len;
      if (message.size() < need) return too_short(2, message.size(), need);
      bytes rs;
      AP_TRYV(ss_.decrypt_and_hash(message.first(encrypted_static_len), rs));
      rs_ = take_key(rs);
      AP_TRYV(mix_dh(e_->private_key, *rs_));
      message = message.subspan(encrypted_static_len);
      break;
    }
  }
  AP_TRYV(ss_.decrypt_and_hash(message, payload));
  ++step_;
  failed_ = false;
  return payload;
}

result<handshake_state::transport_keys> handshake_state::split() {
  if (!finished()) return make_error(errc::invalid_argument, "noise: split before the handshake finished");
  auto [i_to_r, r_to_i] = ss_.split();
  if (role_ == role::initiator) return transport_keys{std::move(i_to_r), std::move(r_to_i)};
  return transport_keys{std::move(r_to_i), std::move(i_to_r)};
}

}  // namespace agentp2p::noise
