#include "agentp2p/security/noise/signature_cache.hpp"

#include <algorithm>

namespace agentp2p::noise {

signature_cache::signature_cache(std::size_t capacity) : capacity_(capacity) { entries_.reserve(capacity_); }

// The three parts with the lengths of the variable ones in front, so two
// different triples never share an encoding.
bytes signature_cache::entry_of(byte_span identity_key, byte_span static_key, byte_span signature) {
  bytes e;
  e.reserve(8 + identity_key.size() + static_key.size() + signature.size());
  for (std::size_t n : {identity_key.size(), static_key.size()})
    for (int shift = 24; shift >= 0; shift -= 8) e.push_back(static_cast<std::uint8_t>(n >> shift));
  e.insert(e.end(), identity_key.begin(), identity_key.end());
  e.insert(e.end(), static_key.begin(), static_key.end());
  e.insert(e.end(), signature.begin(), signature.end());
  return e;
}

bool signature_cache::verified_before(byte_span identity_key, byte_span static_key, byte_span signature) const {
  if (capacity_ == 0) return false;
  const bytes e = entry_of(identity_key, static_key, signature);
  std::lock_guard lock(mu_);
  return std::find(entries_.begin(), entries_.end(), e) != entries_.end();
}

void signature_cache::remember(byte_span identity_key, byte_span static_key, byte_span signature) {
  if (capacity_ == 0) return;
  bytes e = entry_of(identity_key, static_key, signature);
  std::lock_guard lock(mu_);
  if (std::find(entries_.begin(), entries_.end(), e) != entries_.end()) return;
  if (entries_.size() < capacity_) {
    entries_.push_back(std::move(e));
    return;
  }
  entries_[next_] = std::move(e);
  next_ = (next_ + 1) % capacity_;
}

std::size_t signature_cache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace agentp2p::noise
