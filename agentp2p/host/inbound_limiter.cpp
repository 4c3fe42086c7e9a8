#include "agentp2p/host/inbound_limiter.hpp"

#include <algorithm>

namespace agentp2p::host {

using multiformats::protocol_code;

std::string inbound_limiter::ip_key(const multiformats::multiaddr& remote) {
  auto ip = remote.find(protocol_code::ip4);
  if (!ip) ip = remote.find(protocol_code::ip6);
  if (!ip) return {};
  return std::string(ip->value.begin(), ip->value.end());
}

std::optional<std::string> inbound_limiter::admit(const std::string& ip, clock::time_point now) {
  if (ip.empty()) return std::nullopt;
  auto it = ips_.find(ip);
  if (it == ips_.end()) {
    if (ips_.size() >= config_.max_tracked && !forget_one_idle())
      return "too many remote addresses with handshakes in progress (" + std::to_string(ips_.size()) + ")";
    it = ips_.emplace(ip, state{config_.per_ip_burst, now, 0}).first;
  }
  auto& s = it->second;
  if (config_.max_pending_per_ip > 0 && s.pending >= config_.max_pending_per_ip)
    return std::to_string(s.pending) + " handshakes from this address in progress (limit " +
           std::to_string(config_.max_pending_per_ip) + ")";
  if (config_.per_ip_per_second > 0) {
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - s.last).count());
    s.tokens = std::min(config_.per_ip_burst, s.tokens + elapsed * config_.per_ip_per_second);
    s.last = now;
    if (s.tokens < 1.0)
      return "more than " + std::to_string(static_cast<long long>(config_.per_ip_per_second)) +
             " new connections a second from this address";
    s.tokens -= 1.0;
  }
  ++s.pending;
  return std::nullopt;
}

void inbound_limiter::release(const std::string& ip) {
  if (ip.empty()) return;
  auto it = ips_.find(ip);
  if (it != ips_.end() && it->second.pending > 0) --it->second.pending;
}

bool inbound_limiter::forget_one_idle() {
  auto oldest = ips_.end();
  for (auto it = ips_.begin(); it != ips_.end(); ++it)
    if (it->second.pending == 0 && (oldest == ips_.end() || it->second.last < oldest->second.last)) oldest = it;
  if (oldest == ips_.end()) return false;
  ips_.erase(oldest);
  return true;
}

}  // namespace agentp2p::host
