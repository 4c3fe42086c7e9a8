// One subscriber's stream of a task's events: a bounded queue that the task
// manager fills (synchronously, as updates happen) and one coroutine drains.
// A subscriber that falls more than `max_queued` events behind is cut off
// rather than letting the queue grow.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include "agentp2p/agent/a2a/types.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::a2a {

class subscription {
 public:
  subscription(executor ex, std::size_t max_queued);
  ~subscription();
  subscription(const subscription&) = delete;
  subscription& operator=(const subscription&) = delete;

  // The next event, waiting for one if needed. nullopt once the subscription
  // is closed and drained; errc::limit_exceeded when events were dropped
  // because the subscriber fell behind.
  awaitable<result<std::optional<task_event>>> next();
  // The same, but errc::timeout once `deadline` passes without an event.
  // (Cheaper than with_deadline(next()): the wake-up timer is the deadline.)
  awaitable<result<std::optional<task_event>>> next_until(std::chrono::steady_clock::time_point deadline);

  // Producer side (the task manager).
  void push(task_event e);
  void close();
  bool is_closed() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace agentp2p::a2a
