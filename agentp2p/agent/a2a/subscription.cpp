#include "agentp2p/agent/a2a/subscription.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

namespace agentp2p::a2a {

struct subscription::state {
  // The timer is a wake-up signal: next() waits on it "forever" and push()
  // / close() cancel the wait.
  asio::steady_timer wake;
  std::size_t max_queued;
  std::deque<task_event> queue;
  bool closed = false;
  bool overflowed = false;

  state(executor ex, std::size_t max) : wake(std::move(ex)), max_queued(max) {}
};

subscription::subscription(executor ex, std::size_t max_queued)
    : state_(std::make_unique<state>(std::move(ex), max_queued == 0 ? 1 : max_queued)) {}

subscription::~subscription() = default;

awaitable<result<std::optional<task_event>>> subscription::next() {
  return next_until(std::chrono::steady_clock::time_point::max());
}

awaitable<result<std::optional<task_event>>> subscription::next_until(std::chrono::steady_clock::time_point deadline) {
  auto& s = *state_;
  for (;;) {
    if (s.overflowed)
      co_return make_error(errc::limit_exceeded, "a2a: subscriber fell more than " + std::to_string(s.max_queued) +
                                                     " events behind and was dropped");
    if (!s.queue.empty()) {
      task_event e = std::move(s.queue.front());
      s.queue.pop_front();
      co_return std::optional<task_event>(std::move(e));
    }
    if (s.closed) co_return std::optional<task_event>();
    if (std::chrono::steady_clock::now() >= deadline) co_return make_error(errc::timeout, "a2a: no event in time");
    // push() and close() cancel the wait; the deadline ends it normally.
    // (A cancelled caller gets operation_aborted thrown by the next wait.)
    s.wake.expires_at(deadline);
    co_await s.wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void subscription::push(task_event e) {
  auto& s = *state_;
  if (s.closed || s.overflowed) return;
  if (s.queue.size() >= s.max_queued) {
    s.overflowed = true;
    s.queue.clear();
  } else {
    s.queue.push_back(std::move(e));
  }
  s.wake.cancel();
}

void subscription::close() {
  state_->closed = true;
  state_->wake.cancel();
}

bool subscription::is_closed() const noexcept { return state_->closed; }

}  // namespace agentp2p::a2a
