// A security protocol (Noise, plaintext) turns a raw byte stream into an
// authenticated one and tells who is on the other end.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agentp2p/core/byte_stream.hpp"
#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::core {

struct secured_channel {
  std::unique_ptr<byte_stream> stream;
  crypto::public_key remote_key;
  crypto::peer_id remote_peer;
};

class security_protocol {
 public:
  virtual ~security_protocol() = default;

  // The multistream protocol id, e.g. "/noise".
  virtual std::string_view protocol_id() const = 0;

  // Runs the initiator's handshake over `raw`. When `expected` is set and the
  // remote proves a different identity, fails with errc::peer_id_mismatch and
  // a message naming both peer ids.
  virtual awaitable<result<secured_channel>> secure_outbound(std::unique_ptr<byte_stream> raw,
                                                             std::optional<crypto::peer_id> expected) = 0;
  virtual awaitable<result<secured_channel>> secure_inbound(std::unique_ptr<byte_stream> raw) = 0;

  // The stream muxer agreed during the handshake that made `secured` (the
  // libp2p inlined muxer negotiation: Noise extensions, TLS ALPN), among
  // those `supported` accepts; nullopt when the handshake agreed none and
  // multistream-select picks one after it (the default).
  virtual result<std::optional<std::string>> early_muxer(const byte_stream& secured, bool initiator,
                                                         const std::function<bool(std::string_view)>& supported) const {
    (void)secured;
    (void)initiator;
    (void)supported;
    return std::optional<std::string>{};
  }
};

}  // namespace agentp2p::core
