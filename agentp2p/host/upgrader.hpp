// Upgrades a raw transport connection into a muxed, authenticated one:
// multistream(security) → handshake → multistream(muxer) → muxer.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/core/muxer.hpp"
#include "agentp2p/core/security.hpp"

namespace agentp2p::host {

struct upgraded {
  std::shared_ptr<core::muxed_connection> muxed;
  crypto::peer_id remote_peer;
  crypto::public_key remote_key;
  std::string security;
  std::string muxer;
};

class upgrader {
 public:
  upgrader(const std::vector<std::unique_ptr<core::security_protocol>>& security,
           const std::vector<std::unique_ptr<core::muxer>>& muxers)
      : security_(security), muxers_(muxers) {}

  awaitable<result<upgraded>> outbound(std::unique_ptr<core::byte_stream> raw,
                                       std::optional<crypto::peer_id> expected) const;
  awaitable<result<upgraded>> inbound(std::unique_ptr<core::byte_stream> raw) const;

 private:
  const std::vector<std::unique_ptr<core::security_protocol>>& security_;
  const std::vector<std::unique_ptr<core::muxer>>& muxers_;
};

}  // namespace agentp2p::host
