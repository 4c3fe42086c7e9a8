#include "agentp2p/agent/tools/caller_limits.hpp"

#include <algorithm>

namespace agentp2p::tools {

std::optional<caller_limits::refused> caller_limits::admit(std::string_view caller, std::string_view tool, clock::time_point now) {
  if (caller.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto active = active_.find(caller);
  const std::size_t running = active == active_.end() ? 0 : active->second;
  if (config_.max_concurrent_per_peer > 0 && running >= config_.max_concurrent_per_peer) {
    return refused{refused::limit::concurrency, "peer " + std::string(caller) + " already has " + std::to_string(running) +
           " tool calls in progress (limit " + std::to_string(config_.max_concurrent_per_peer) + ")"};
  }
  if (config_.calls_per_second > 0) {
    auto key = std::make_pair(std::string(caller), std::string(tool));
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      if (buckets_.size() >= config_.max_tracked) forget_oldest_bucket();
      it = buckets_.emplace(std::move(key), bucket{config_.burst, now}).first;
    }
    auto& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(config_.burst, b.tokens + std::max(0.0, elapsed) * config_.calls_per_second);
    b.last = now;
    if (b.tokens < 1.0) {
      return refused{refused::limit::rate, "peer " + std::string(caller) + " calls tool \"" + std::string(tool) + "\" too often (limit " +
             std::to_string(static_cast<long long>(config_.calls_per_second)) + " a second, burst " +
             std::to_string(static_cast<long long>(config_.burst)) + ")"};
    }
    b.tokens -= 1.0;
  }
  if (active == active_.end()) {
    if (active_.size() >= config_.max_tracked) {
      return refused{refused::limit::concurrency,
                     "too many peers calling tools at once (limit " + std::to_string(config_.max_tracked) + ")"};
    }
    active = active_.emplace(std::string(caller), 0).first;
  }
  ++active->second;
  return std::nullopt;
}

void caller_limits::release(std::string_view caller) {
  if (caller.empty()) return;
  std::lock_guard lock(mutex_);
  auto it = active_.find(caller);
  if (it == active_.end()) return;
  if (--it->second == 0) active_.erase(it);
}

std::size_t caller_limits::in_progress(std::string_view caller) const {
  std::lock_guard lock(mutex_);
  auto it = active_.find(caller);
  return it == active_.end() ? 0 : it->second;
}

void caller_limits::forget_oldest_bucket() {
  auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                 [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
  if (oldest != buckets_.end()) buckets_.erase(oldest);
}

}  // namespace agentp2p::tools
