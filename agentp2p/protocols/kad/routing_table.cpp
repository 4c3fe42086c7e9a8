#include "agentp2p/protocols/kad/routing_table.hpp"

#include <algorithm>

namespace agentp2p::kad {

routing_table::routing_table(crypto::peer_id self, std::size_t k)
    : self_(std::move(self)), self_key_(kad_key::of(self_)), k_(std::max<std::size_t>(1, k)) {}

std::size_t routing_table::index_of(const kad_key& key) const {
  return std::min(self_key_.common_prefix_length(key), key_bits - 1);
}

routing_table::add_result routing_table::add(const crypto::peer_id& peer, clock::time_point now) {
  if (peer == self_) return add_result::self;
  auto key = kad_key::of(peer);
  auto& b = buckets_[index_of(key)];
  for (auto& e : b.members)
    if (e.peer == peer) return add_result::updated;
  if (b.members.size() < k_) {
    b.members.push_back(entry{peer, key, now, now});
    ++size_;
    return add_result::added;
  }
  // Full: remember it as a replacement (most recent at the front, bounded by k).
  auto it = std::find(b.replacements.begin(), b.replacements.end(), peer);
  if (it != b.replacements.end()) b.replacements.erase(it);
  b.replacements.push_front(peer);
  if (b.replacements.size() > k_) b.replacements.pop_back();
  return add_result::full;
}

bool routing_table::remove(const crypto::peer_id& peer) {
  auto key = kad_key::of(peer);
  auto& b = buckets_[index_of(key)];
  auto it = std::find_if(b.members.begin(), b.members.end(), [&](const entry& e) { return e.peer == peer; });
  if (it == b.members.end()) {
    auto r = std::find(b.replacements.begin(), b.replacements.end(), peer);
    if (r != b.replacements.end()) b.replacements.erase(r);
    return false;
  }
  b.members.erase(it);
  --size_;
  if (!b.replacements.empty()) {
    auto next = b.replacements.front();
    b.replacements.pop_front();
    auto now = clock::now();
    b.members.push_back(entry{next, kad_key::of(next), now, now});
    ++size_;
  }
  return true;
}

void routing_table::mark_useful(const crypto::peer_id& peer, clock::time_point now) {
  auto& b = buckets_[index_of(kad_key::of(peer))];
  for (auto& e : b.members)
    if (e.peer == peer) e.last_useful = now;
}

bool routing_table::contains(const crypto::peer_id& peer) const {
  const auto& b = buckets_[index_of(kad_key::of(peer))];
  return std::any_of(b.members.begin(), b.members.end(), [&](const entry& e) { return e.peer == peer; });
}

std::vector<crypto::peer_id> routing_table::closest(const kad_key& target, std::size_t count) const {
  std::vector<std::pair<kad_key, const crypto::peer_id*>> all;
  all.reserve(size_);
  for (const auto& b : buckets_)
    for (const auto& e : b.members) all.emplace_back(e.key.distance(target), &e.peer);
  auto n = std::min(count, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<crypto::peer_id> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(*all[i].second);
  return out;
}

std::optional<std::size_t> routing_table::max_common_prefix() const {
  for (std::size_t i = key_bits; i-- > 0;)
    if (!buckets_[i].members.empty()) return i;
  return std::nullopt;
}

std::vector<crypto::peer_id> routing_table::peers() const {
  std::vector<crypto::peer_id> out;
  out.reserve(size_);
  for (const auto& b : buckets_)
    for (const auto& e : b.members) out.push_back(e.peer);
  return out;
}

}  // namespace agentp2p::kad
