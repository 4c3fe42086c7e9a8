#include "agentp2p/daemon/events.hpp"

#include <ctime>

namespace agentp2p::daemon {

namespace json = boost::json;

json::object to_json(const event& e) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.time.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char full[48];
  std::snprintf(full, sizeof full, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  json::object o;
  o["seq"] = e.seq;
  o["type"] = e.type;
  o["time"] = full;
  o["data"] = e.data;
  return o;
}

void event_bus::publish(std::string type, json::object data) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    event e;
    e.seq = next_seq_++;
    e.type = std::move(type);
    e.time = std::chrono::system_clock::now();
    e.data = std::move(data);
    ring_.push_back(std::move(e));
    if (ring_.size() > capacity_) ring_.pop_front();
    for (const auto& [t, w] : watchers_) wake.push_back(w);
  }
  for (auto& w : wake) w();
}

event_bus::batch event_bus::since(std::uint64_t after, std::size_t max) const {
  std::lock_guard lock(mutex_);
  batch b;
  if (ring_.empty()) return b;
  auto oldest = ring_.front().seq;
  if (after + 1 < oldest) b.dropped = oldest - after - 1;
  for (const auto& e : ring_) {
    if (e.seq <= after) continue;
    if (b.events.size() >= max) break;
    b.events.push_back(e);
  }
  return b;
}

std::uint64_t event_bus::last_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

std::uint64_t event_bus::watch(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  auto t = next_watch_++;
  watchers_.emplace(t, std::move(wake));
  return t;
}

void event_bus::unwatch(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  watchers_.erase(token);
}

std::uint64_t event_bus::dropped_total() const {
  std::lock_guard lock(mutex_);
  return dropped_total_;
}

void event_bus::count_dropped(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  dropped_total_ += n;
}

}  // namespace agentp2p::daemon
