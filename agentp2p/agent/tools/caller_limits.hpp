// Per-peer admission for remote tool calls: calls in progress per peer, and
// calls per second per peer per tool (a token bucket: `rate` tokens a second,
// at most `burst` saved up). Local calls (empty caller) are not limited here.
// Thread-safe; the tracked state is bounded (the least recently used buckets
// are forgotten first, which only ever makes a peer's bucket full again).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace agentp2p::tools {

struct caller_limits_config {
  // Calls one peer may have in progress at once (0 = no limit).
  std::size_t max_concurrent_per_peer = 16;
  // Token bucket per (peer, tool): sustained calls a second and burst (0 = no limit).
  double calls_per_second = 20;
  double burst = 40;
  // Peers and (peer, tool) buckets tracked at once.
  std::size_t max_tracked = 8192;
};

class caller_limits {
 public:
  using clock = std::chrono::steady_clock;
  explicit caller_limits(caller_limits_config cfg = {}) : config_(cfg) {}

  struct refused {
    enum class limit { concurrency, rate } which;
    std::string message;
  };
  // Admits one call of `tool` by `caller` (taking a concurrency slot and a
  // token), or says why not. Every admitted call must be release()d.
  std::optional<refused> admit(std::string_view caller, std::string_view tool, clock::time_point now);
  std::optional<refused> admit(std::string_view caller, std::string_view tool) {
    return admit(caller, tool, clock::now());
  }
  void release(std::string_view caller);

  std::size_t in_progress(std::string_view caller) const;
  const caller_limits_config& settings() const noexcept { return config_; }

 private:
  struct bucket {
    double tokens;
    clock::time_point last;
  };
  void forget_oldest_bucket();

  caller_limits_config config_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> active_;
  std::map<std::pair<std::string, std::string>, bucket> buckets_;
};

}  // namespace agentp2p::tools
