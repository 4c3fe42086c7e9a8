#include "agentp2p/protocols/kad/store.hpp"

#include <algorithm>

namespace agentp2p::kad {

result<void> record_store::put(record r, system_clock::time_point now) {
  auto size = r.key.size() + r.value.size();
  auto it = records_.find(r.key);
  std::size_t freed = it == records_.end() ? 0 : it->second.rec.key.size() + it->second.rec.value.size();
  if (it == records_.end() && records_.size() >= limits_.max_records) {
    expire(now);
    if (records_.size() >= limits_.max_records)
      return make_error(errc::limit_exceeded, "kad: record store is full (" + std::to_string(records_.size()) + " records)");
  }
  if (bytes_ - freed + size > limits_.max_bytes)
    return make_error(errc::limit_exceeded, "kad: record store is full (" + std::to_string(bytes_) + " bytes)");
  bytes_ = bytes_ - freed + size;
  auto key = r.key;
  records_[std::move(key)] = stored{std::move(r), now};
  return ok();
}

std::optional<record> record_store::get(const bytes& key, system_clock::time_point now) const {
  auto it = records_.find(key);
  if (it == records_.end() || now - it->second.received >= limits_.expiry) return std::nullopt;
  return it->second.rec;
}

void record_store::remove(const bytes& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return;
  bytes_ -= it->second.rec.key.size() + it->second.rec.value.size();
  records_.erase(it);
}

std::size_t record_store::expire(system_clock::time_point now) {
  std::size_t n = 0;
  for (auto it = records_.begin(); it != records_.end();) {
    if (now - it->second.received >= limits_.expiry) {
      bytes_ -= it->second.rec.key.size() + it->second.rec.value.size();
      it = records_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

result<void> provider_store::add(const bytes& key, const crypto::peer_id& provider, system_clock::time_point now) {
  auto it = providers_.find(key);
  if (it == providers_.end()) {
    if (providers_.size() >= limits_.max_keys) expire(now);
    if (providers_.size() >= limits_.max_keys)
      return make_error(errc::limit_exceeded, "kad: provider store is full (" + std::to_string(providers_.size()) + " keys)");
    it = providers_.emplace(key, std::map<crypto::peer_id, system_clock::time_point>{}).first;
  }
  auto& set = it->second;
  if (!set.contains(provider) && set.size() >= limits_.max_providers_per_key) {
    auto oldest = std::min_element(set.begin(), set.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
    set.erase(oldest);
  }
  set[provider] = now;
  return ok();
}

std::vector<crypto::peer_id> provider_store::get(const bytes& key, system_clock::time_point now) const {
  std::vector<crypto::peer_id> out;
  auto it = providers_.find(key);
  if (it == providers_.end()) return out;
  for (const auto& [peer, added] : it->second)
    if (now - added < limits_.expiry) out.push_back(peer);
  return out;
}

std::size_t provider_store::expire(system_clock::time_point now) {
  std::size_t n = 0;
  for (auto it = providers_.begin(); it != providers_.end();) {
    auto& set = it->second;
    for (auto p = set.begin(); p != set.end();) {
      if (now - p->second >= limits_.expiry) {
        p = set.erase(p);
        ++n;
      } else {
        ++p;
      }
    }
    it = set.empty() ? providers_.erase(it) : std::next(it);
  }
  return n;
}

}  // namespace agentp2p::kad
