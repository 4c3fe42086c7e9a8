// The daemon's event log: peer, card, tool-call and task events in one
// bounded ring, read by the SSE stream (/api/v1/events) and the dashboard.
//
// Readers keep their own position (the sequence number of the last event
// they saw); a reader that falls further behind than the ring holds is told
// how many events it missed (events_dropped) instead of holding memory.
// Thread-safe: publishers may be on any thread (tool calls end on callers'
// executors).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace agentp2p::daemon {

struct event {
  std::uint64_t seq = 0;
  std::string type;  // peer.connected, card.updated, tool.call, task.updated, ...
  std::chrono::system_clock::time_point time;
  boost::json::object data;
};

boost::json::object to_json(const event& e);

class event_bus {
 public:
  explicit event_bus(std::size_t capacity = 1024) : capacity_(capacity) {}

  void publish(std::string type, boost::json::object data);

  struct batch {
    std::vector<event> events;
    std::uint64_t dropped = 0;  // events after `after` that are no longer kept
  };
  // Events with seq > `after`, at most `max`.
  batch since(std::uint64_t after, std::size_t max) const;
  std::uint64_t last_seq() const;

  // Called (outside the lock) after each publish: readers waiting for events
  // wake up. Returns a token for unwatch().
  std::uint64_t watch(std::function<void()> wake);
  void unwatch(std::uint64_t token);

  // Events readers missed in total (for /metrics).
  std::uint64_t dropped_total() const;
  void count_dropped(std::uint64_t n);

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<event> ring_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t dropped_total_ = 0;
  std::map<std::uint64_t, std::function<void()>> watchers_;
  std::uint64_t next_watch_ = 1;
};

}  // namespace agentp2p::daemon
