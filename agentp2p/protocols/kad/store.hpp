// What a DHT server holds for others: value records (PUT_VALUE) and provider
// records (ADD_PROVIDER). Both are bounded — in entries and bytes, and
// providers per key — and expire (records after 36 h, providers after 48 h
// by default). Time is passed in, so tests need no sleeping. Pure, no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/protocols/kad/wire.hpp"

namespace agentp2p::kad {

using system_clock = std::chrono::system_clock;

struct record_store_limits {
  std::size_t max_records = 4096;
  std::size_t max_bytes = 64 * 1024 * 1024;  // keys + values
  std::chrono::seconds expiry{36 * 3600};
};

class record_store {
 public:
  explicit record_store(record_store_limits limits = {}) : limits_(limits) {}

  // Stores (or replaces) `r`; errc::limit_exceeded when full.
  result<void> put(record r, system_clock::time_point now);
  std::optional<record> get(const bytes& key, system_clock::time_point now) const;
  void remove(const bytes& key);
  // Drops expired records; returns how many.
  std::size_t expire(system_clock::time_point now);
  std::size_t size() const noexcept { return records_.size(); }
  std::size_t bytes_used() const noexcept { return bytes_; }

 private:
  struct stored {
    record rec;
    system_clock::time_point received;
  };
  record_store_limits limits_;
  std::map<bytes, stored> records_;
  std::size_t bytes_ = 0;
};

struct provider_store_limits {
  std::size_t max_keys = 16384;
  std::size_t max_providers_per_key = 64;
  std::chrono::seconds expiry{48 * 3600};
};

class provider_store {
 public:
  explicit provider_store(provider_store_limits limits = {}) : limits_(limits) {}

  // Adds or refreshes `provider` for `key`. When the key already has the
  // maximum number of providers, the one that expires soonest makes room.
  // errc::limit_exceeded when the store holds max_keys other keys.
  result<void> add(const bytes& key, const crypto::peer_id& provider, system_clock::time_point now);
  std::vector<crypto::peer_id> get(const bytes& key, system_clock::time_point now) const;
  std::size_t expire(system_clock::time_point now);
  std::size_t keys() const noexcept { return providers_.size(); }

 private:
  provider_store_limits limits_;
  std::map<bytes, std::map<crypto::peer_id, system_clock::time_point>> providers_;  // -> time added
};

}  // namespace agentp2p::kad
