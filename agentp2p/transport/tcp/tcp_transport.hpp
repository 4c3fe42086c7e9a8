// TCP transport: /ip4|ip6|dns|dns4|dns6/.../tcp/PORT multiaddrs (a trailing
// /p2p/<id> is ignored here; the host checks it after the handshake).
#pragma once

#include <memory>

#include "agentp2p/core/transport.hpp"

namespace agentp2p::tcp {

struct config {
  int listen_backlog = 1024;
};

class tcp_transport final : public core::transport {
 public:
  explicit tcp_transport(executor ex, config cfg = {});

  bool can_dial(const multiformats::multiaddr& addr) const override;
  bool can_listen(const multiformats::multiaddr& addr) const override;
  // Resolves dns* names (dns4 -> IPv4 only, dns6 -> IPv6 only), then tries
  // each address in order until one connects.
  awaitable<result<core::raw_connection>> dial(const multiformats::multiaddr& addr) override;
  result<std::unique_ptr<core::listener>> listen(const multiformats::multiaddr& addr) override;

 private:
  executor executor_;
  config config_;
};

}  // namespace agentp2p::tcp
