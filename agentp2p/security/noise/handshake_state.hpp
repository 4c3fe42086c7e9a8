// The Noise HandshakeState (Noise spec rev 34, section 5.3) for the one
// pattern libp2p uses, Noise_XX_25519_ChaChaPoly_SHA256:
//   -> e
//   <- e, ee, s, es
//   -> s, se
// Pure computation, no I/O: messages go in and out as bytes, so the state
// machine can be checked against the published test vectors and fuzzed.
#pragma once

#include <optional>
#include <string_view>

#include "agentp2p/security/noise/cipher_state.hpp"
#include "agentp2p/security/noise/symmetric_state.hpp"
#include "agentp2p/security/noise/x25519.hpp"

namespace agentp2p::noise {

inline constexpr std::string_view protocol_name = "Noise_XX_25519_ChaChaPoly_SHA256";

enum class role : std::uint8_t { initiator, responder };

class handshake_state {
 public:
  // libp2p uses an empty prologue. `ephemeral` fixes the ephemeral key pair
  // (test vectors, fuzzers); normally it is generated when it is sent.
  handshake_state(role r, const x25519_keypair& static_keys, byte_span prologue = {},
                  std::optional<x25519_keypair> ephemeral = std::nullopt);

  role side() const noexcept { return role_; }
  // 0, 1, 2: the XX message that comes next; 3 once the handshake is done.
  int next_message() const noexcept { return step_; }
  // True when the next message is ours to write.
  bool my_turn() const noexcept;
  bool finished() const noexcept { return step_ == 3 && !failed_; }

  // Builds the next message carrying `payload` (encrypted from message 2 on).
  // too_large when the message would exceed 65535 bytes.
  result<bytes> write_message(byte_span payload);
  // Consumes the remote's next message and returns its payload. Any failure
  // is final: a handshake that failed once accepts no further messages.
  result<bytes> read_message(byte_span message);

  // The remote's static X25519 key once it has been received (message 2 for
  // the initiator, message 3 for the responder).
  const std::optional<dh_key>& remote_static() const noexcept { return rs_; }
  const hash_value& handshake_hash() const noexcept { return ss_.handshake_hash(); }

  struct transport_keys {
    cipher_state send;
    cipher_state recv;
  };
  // After the last message: the transport CipherStates, oriented for this side.
  result<transport_keys> split();

 private:
  result<void> check_turn(bool writing) const;
  result<void> mix_dh(const dh_key& priv, const dh_key& pub);

  role role_;
  int step_ = 0;
  bool failed_ = false;
  symmetric_state ss_;
  x25519_keypair s_;
  std::optional<x25519_keypair> e_;
  std::optional<dh_key> re_;
  std::optional<dh_key> rs_;
};

}  // namespace agentp2p::noise
