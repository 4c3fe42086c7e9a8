// Bootstrap peers: a fixed list of multiaddrs with /p2p/<id> (dns4/dns6 are
// resolved by the TCP transport) kept connected. A peer that cannot be
// reached is retried with exponential backoff (with jitter, capped); once
// connected, the backoff resets and the peer is dialed again when its last
// connection goes away. With a connection manager, bootstrap peers are
// protected from trimming.
//
// The daemon maps its `bootstrap` list onto bootstrap_config::peers.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/host/connection_manager.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::host {

struct bootstrap_config {
  std::vector<std::string> peers;
  std::chrono::milliseconds initial_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
};

struct bootstrap_peer_status {
  multiformats::multiaddr addr;
  crypto::peer_id peer;
  bool connected = false;
  std::size_t attempts = 0;
  std::size_t failures_in_a_row = 0;
  std::string last_error;
  std::chrono::milliseconds backoff{0};  // wait before the next attempt
};

class bootstrap : public std::enable_shared_from_this<bootstrap> {
 public:
  // errc::invalid_argument names an entry that is not a multiaddr with /p2p/.
  static result<std::shared_ptr<bootstrap>> start(std::shared_ptr<host> h, bootstrap_config cfg,
                                                  std::shared_ptr<connection_manager> cm = nullptr);
  ~bootstrap();
  void stop();
  std::vector<bootstrap_peer_status> status() const;

 private:
  struct entry;
  bootstrap(std::shared_ptr<host> h, bootstrap_config cfg, std::shared_ptr<connection_manager> cm);
  static awaitable<void> keep_connected(std::weak_ptr<bootstrap> weak, std::shared_ptr<entry> e);

  std::weak_ptr<host> host_;
  bootstrap_config config_;
  std::shared_ptr<connection_manager> manager_;
  std::vector<std::shared_ptr<entry>> entries_;
  std::uint64_t host_token_ = 0;
  bool stopped_ = false;
};

}  // namespace agentp2p::host
