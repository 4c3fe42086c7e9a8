// The connection manager keeps the number of connections between two
// watermarks: above `high_water` it closes the least useful connections
// until `low_water` remain. Never closed: connections younger than
// `grace_period`, connections with open streams (a call in progress is an
// open stream), and connections to protected peers (bootstrap peers, peers
// an application protects while it needs them). Among the rest, a second
// connection to an already connected peer goes first, then the lowest tag
// score, then the oldest.
//
//   auto cm = host::connection_manager::start(h, {.low_water = 100, .high_water = 150});
//   cm->protect(peer, "calls");  ...  cm->unprotect(peer, "calls");
//
// The daemon maps connections.low / connections.high onto low_water / high_water.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "agentp2p/host/host.hpp"

namespace agentp2p::host {

struct connection_manager_config {
  std::size_t low_water = 160;
  std::size_t high_water = 192;
  // New connections get this long to show they are useful.
  std::chrono::milliseconds grace_period{std::chrono::seconds(20)};
  // A check also runs this often (besides right after each new connection).
  std::chrono::milliseconds check_interval{std::chrono::seconds(10)};
};

class connection_manager : public std::enable_shared_from_this<connection_manager> {
 public:
  static std::shared_ptr<connection_manager> start(std::shared_ptr<host> h, connection_manager_config cfg = {});
  ~connection_manager();
  void stop();

  // Protection is per tag: a peer stays protected while any tag holds it.
  void protect(const crypto::peer_id& peer, const std::string& tag);
  // Returns whether the peer is still protected (by another tag).
  bool unprotect(const crypto::peer_id& peer, const std::string& tag);
  bool is_protected(const crypto::peer_id& peer) const;

  // Scores: higher is more useful; the sum over a peer's tags.
  void tag(const crypto::peer_id& peer, const std::string& tag, int value);
  void untag(const crypto::peer_id& peer, const std::string& tag);
  int score(const crypto::peer_id& peer) const;

  // Closes connections now if above high_water; returns how many it closes.
  std::size_t trim();
  std::uint64_t trimmed_total() const noexcept { return trimmed_total_; }
  const connection_manager_config& settings() const noexcept { return config_; }

 private:
  struct ticker;
  connection_manager(std::shared_ptr<host> h, connection_manager_config cfg);
  static awaitable<void> tick_loop(std::weak_ptr<connection_manager> weak, std::shared_ptr<ticker> t);
  static awaitable<void> close_connection(std::shared_ptr<connection> c);

  std::weak_ptr<host> host_;
  connection_manager_config config_;
  std::map<crypto::peer_id, std::set<std::string>> protected_;
  std::map<crypto::peer_id, std::map<std::string, int>> tags_;
  std::shared_ptr<ticker> ticker_;
  std::uint64_t host_token_ = 0;
  std::uint64_t trimmed_total_ = 0;
  bool trim_scheduled_ = false;
  bool stopped_ = false;
};

}  // namespace agentp2p::host
