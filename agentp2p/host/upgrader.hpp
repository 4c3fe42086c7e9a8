// Upgrades a raw transport connection into a muxed, authenticated one:
// multistream(security) → handshake → multistream(muxer) → muxer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/core/muxer.hpp"
#include "agentp2p/core/security.hpp"
#include "agentp2p/security/pnet/psk.hpp"

namespace agentp2p::host {

struct upgraded {
  std::shared_ptr<core::muxed_connection> muxed;
  crypto::peer_id remote_peer;
  crypto::public_key remote_key;
  std::string security;
  std::string muxer;
};

// How far an upgrade got; the host reads it after a failure (including a
// timeout, which cancels the upgrade midway) to explain what went wrong.
enum class upgrade_stage { pnet, security_negotiation, security_handshake, muxer_negotiation, done };

class upgrader {
 public:
  // With `psk`, the raw connection is first wrapped in the private network's
  // XSalsa20 stream (pnet), before multistream.
  upgrader(const std::vector<std::unique_ptr<core::security_protocol>>& security,
           const std::vector<std::unique_ptr<core::muxer>>& muxers, const std::optional<pnet::psk>& psk,
           upgrade_stage& stage)
      : security_(security), muxers_(muxers), psk_(psk), stage_(stage) {}

  awaitable<result<upgraded>> outbound(std::unique_ptr<core::byte_stream> raw,
                                       std::optional<crypto::peer_id> expected) const;
  awaitable<result<upgraded>> inbound(std::unique_ptr<core::byte_stream> raw) const;

  // The failure of an upgrade that stopped at `stage`, with a hint when the
  // likely cause is a private network key mismatch (garbled multistream or
  // a handshake that never completes).
  static agentp2p::error explain(agentp2p::error e, upgrade_stage stage, bool have_psk);

 private:
  awaitable<result<std::unique_ptr<core::byte_stream>>> maybe_protect(std::unique_ptr<core::byte_stream> raw) const;

  const std::vector<std::unique_ptr<core::security_protocol>>& security_;
  const std::vector<std::unique_ptr<core::muxer>>& muxers_;
  const std::optional<pnet::psk>& psk_;
  upgrade_stage& stage_;
};

}  // namespace agentp2p::host
