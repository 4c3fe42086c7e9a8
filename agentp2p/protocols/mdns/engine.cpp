#include "agentp2p/protocols/mdns/engine.hpp"

#include <algorithm>

#include "agentp2p/base/log.hpp"

namespace agentp2p::mdns {

namespace {
constexpr std::size_t max_tracked_sources = 4096;
constexpr std::size_t max_remembered_peers = 4096;
constexpr std::uint32_t legacy_unicast_ttl = 10;  // RFC 6762 §6.7
}  // namespace

engine::engine(config cfg, crypto::peer_id self, std::string peer_name)
    : config_(std::move(cfg)), self_(std::move(self)), peer_name_(std::move(peer_name)) {
  if (peer_name_.empty()) peer_name_ = random_peer_name();
  for (const auto& s : config_.service_names) {
    auto full = full_service_name(s);
    if (std::none_of(services_.begin(), services_.end(), [&](const std::string& x) { return same_name(x, full); }))
      services_.push_back(std::move(full));
  }
  tokens_ = static_cast<double>(std::max<std::size_t>(1, config_.max_discoveries_per_second));
}

std::vector<bytes> engine::queries() const {
  std::vector<bytes> out;
  for (const auto& s : services_) {
    auto packet = encode(make_query(s));
    if (packet) out.push_back(std::move(*packet));
  }
  return out;
}

bool engine::admit(std::string_view source, clock::time_point now) {
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    window_packets_ = 0;
    window_sources_.clear();
  }
  if (window_packets_ >= config_.max_packets_per_second) return false;
  auto it = window_sources_.find(std::string(source));
  if (it == window_sources_.end()) {
    if (window_sources_.size() >= max_tracked_sources) return false;
    it = window_sources_.emplace(std::string(source), 0).first;
  }
  if (it->second >= config_.max_packets_per_source_per_second) return false;
  ++it->second;
  ++window_packets_;
  return true;
}

std::vector<engine::reply> engine::on_packet(byte_span packet, const interface_view& iface, std::string_view source,
                                             bool legacy_source, clock::time_point now) {
  std::vector<reply> out;
  if (!admit(source, now)) {
    ++stats_.packets_rate_limited;
    return out;
  }
  ++stats_.packets;
  auto m = decode(packet);
  if (!m) {
    ++stats_.packets_malformed;
    log::debug("mdns: ignoring a malformed packet from " + std::string(source) + " on " + iface.name + ": " +
               m.error().what());
    return out;
  }

  if (m->is_response()) {
    read_limits limits;
    limits.max_addrs_per_peer = config_.max_addrs;
    for (auto& f : read_response(*m, services_, peer_name_, limits)) {
      if (f.peer == self_) continue;
      ++stats_.peers_announced;
      enqueue(std::move(f), now);
    }
    return out;
  }

  for (const auto& service : services_) {
    const std::string instance = peer_name_ + "." + service;
    if (!asks_for(*m, service, instance, config_.ttl)) {
      continue;
    }
    if (iface.addrs.empty()) continue;  // nothing reachable from there
    announcement a{service, peer_name_, iface.addrs, iface.ips, iface.port, config_.ttl};
    if (a.addrs.size() > config_.max_addrs) a.addrs.resize(config_.max_addrs);
    if (legacy_source) {
      // A one-shot querier not on port 5353: a unicast reply that repeats the
      // question and the query id, with short TTLs.
      a.ttl = std::min(a.ttl, legacy_unicast_ttl);
      auto response = make_response(a);
      response.id = m->id;
      response.questions.push_back(make_query(service).questions.front());
      auto bytes = encode(response);
      if (bytes) out.push_back(reply{std::move(*bytes), true});
      ++stats_.queries_answered;
      continue;
    }
    auto& last = last_answer_[{iface.index, service}];
    if (last != clock::time_point{} && now - last < config_.min_answer_interval) {
      ++stats_.answers_held_back;
      continue;
    }
    auto bytes = encode(make_response(a));
    if (!bytes) {
      log::debug("mdns: cannot encode our answer on " + iface.name + ": " + bytes.error().what());
      continue;
    }
    last = now;
    ++stats_.queries_answered;
    out.push_back(reply{std::move(*bytes), false});
  }
  return out;
}

void engine::enqueue(found_peer f, clock::time_point now) {
  if (auto it = acted_.find(f.peer); it != acted_.end() && now - it->second < config_.rediscovery_interval) return;
  for (auto& p : pending_) {
    if (p.peer != f.peer) continue;
    for (auto& a : f.addrs)
      if (p.addrs.size() < config_.max_addrs && std::find(p.addrs.begin(), p.addrs.end(), a) == p.addrs.end())
        p.addrs.push_back(std::move(a));
    return;
  }
  if (pending_.size() >= config_.max_pending_discoveries) {
    ++stats_.discoveries_dropped;
    return;
  }
  pending_.push_back(std::move(f));
}

std::optional<found_peer> engine::next(clock::time_point now) {
  const double rate = static_cast<double>(std::max<std::size_t>(1, config_.max_discoveries_per_second));
  if (tokens_at_ != clock::time_point{}) {
    const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
    tokens_ = std::min(rate, tokens_ + std::max(0.0, elapsed) * rate);
  }
  tokens_at_ = now;
  if (pending_.empty() || tokens_ < 1.0) return std::nullopt;
  tokens_ -= 1.0;
  auto f = std::move(pending_.front());
  pending_.pop_front();
  if (acted_.size() >= max_remembered_peers) {
    for (auto it = acted_.begin(); it != acted_.end();)
      it = now - it->second >= config_.rediscovery_interval ? acted_.erase(it) : std::next(it);
    if (acted_.size() >= max_remembered_peers) acted_.erase(acted_.begin());
  }
  acted_[f.peer] = now;
  ++stats_.discoveries;
  return f;
}

clock::time_point engine::next_ready(clock::time_point now) const {
  if (pending_.empty()) return clock::time_point::max();
  const double rate = static_cast<double>(std::max<std::size_t>(1, config_.max_discoveries_per_second));
  double tokens = tokens_;
  if (tokens_at_ != clock::time_point{})
    tokens = std::min(rate, tokens + std::chrono::duration<double>(now - tokens_at_).count() * rate);
  if (tokens >= 1.0) return now;
  return now + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>((1.0 - tokens) / rate));
}

void engine::forget(const crypto::peer_id& peer) { acted_.erase(peer); }

}  // namespace agentp2p::mdns
