// deadline_queue: many deadlines of a few distinct lengths on one executor,
// served by one timer. For per-request deadlines on hot paths (a stream's
// negotiation, a tool call's read/write/linger), where with_deadline's
// timer + parallel group + two coroutine frames per bounded wait was a
// visible part of a request's cost.
//
// A deadline does not cancel a coroutine: when it passes it calls the
// function it was given (typically "reset this stream", which fails the
// stream's pending read or write); the code that owned the wait then sees
// expired() and reports timeout_error() instead of the stream's error.
//
//   stream_deadline d(host.deadlines(), *s);       // resets *s when it passes
//   d.arm(std::chrono::seconds(10), "waiting for a request");
//   auto r = co_await read(*s);
//   if (!r && d.expired()) return d.timeout_error();
//
// How: deadlines of the same length are kept in one FIFO lane (each new one
// is at least as late as those before it, since `now` only grows), so
// arming and disarming are O(1) list operations without allocation (the
// entry lives in the caller's frame). The timer is armed for the earliest
// deadline; one that was disarmed is not taken off the timer: the timer
// wakes, finds nothing due, and re-arms for the next (about once per
// deadline length under steady load, instead of a timer operation per wait);
// when the last armed deadline goes, the timer's wait is cancelled, so an
// idle queue keeps no work pending on its io_context.
// Single-threaded: everything on the queue's executor (or strand).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p {

class deadline_queue;

// One deadline; lives in the waiting coroutine's frame. Disarmed on destruction.
class deadline {
 public:
  using clock = std::chrono::steady_clock;
  using expiry_fn = void (*)(void* target);

  deadline(std::shared_ptr<deadline_queue> q, expiry_fn on_expiry, void* target) noexcept;
  ~deadline();
  deadline(const deadline&) = delete;
  deadline& operator=(const deadline&) = delete;

  // (Re)starts the deadline: it passes `limit` from now. `what` (static
  // text, or text that outlives the deadline) names the wait in the error.
  // A limit of zero or less passes at once (on the queue's next turn).
  void arm(clock::duration limit, std::string_view what);
  // No deadline until the next arm().
  void disarm() noexcept;
  bool armed() const noexcept { return lane_ != nullptr; }
  // The deadline passed (and the expiry function ran) since the last arm().
  bool expired() const noexcept { return expired_; }
  // errc::timeout, "<what> timed out after <limit>".
  error timeout_error() const;

 private:
  friend class deadline_queue;
  struct lane;
  std::shared_ptr<deadline_queue> queue_;
  expiry_fn on_expiry_;
  void* target_;
  clock::time_point at_{};
  clock::duration limit_{};
  std::string_view what_;
  bool expired_ = false;
  lane* lane_ = nullptr;  // set while armed
  deadline* prev_ = nullptr;
  deadline* next_ = nullptr;
};

class deadline_queue : public std::enable_shared_from_this<deadline_queue> {
 public:
  // What the timer does when the last armed deadline is disarmed.
  enum class when_idle {
    // Its wait is cancelled: an idle queue holds no pending work, so an
    // io_context can run out of work (a host's queue shared by many streams).
    cancel_timer,
    // Its wait stays until it passes (then it idles): one deadline armed and
    // disarmed per message costs no timer operation (two system calls) each
    // time. The owner destroys the queue to end the wait early.
    keep_timer,
  };
  static std::shared_ptr<deadline_queue> create(executor ex, when_idle idle = when_idle::cancel_timer);
  ~deadline_queue();
  deadline_queue(const deadline_queue&) = delete;
  deadline_queue& operator=(const deadline_queue&) = delete;

  const executor& get_executor() const noexcept { return executor_; }
  // Deadlines currently armed (tests, statistics).
  std::size_t size() const noexcept { return armed_count_; }

 private:
  friend class deadline;
  deadline_queue(executor ex, when_idle idle);
  deadline::lane& lane_for(deadline::clock::duration limit);
  void link(deadline& d);
  void unlink(deadline& d) noexcept;
  void schedule(deadline::clock::time_point at);
  void on_timer();

  executor executor_;
  asio::steady_timer timer_;
  deadline::clock::time_point timer_at_ = deadline::clock::time_point::max();  // max: not waiting
  std::vector<std::unique_ptr<deadline::lane>> lanes_;
  std::size_t armed_count_ = 0;
  when_idle when_idle_;
};

struct deadline::lane {
  clock::duration limit{};
  deadline* head = nullptr;
  deadline* tail = nullptr;
};

// Awaits `op` with `d` armed for `limit` (disarmed however the wait ends);
// when `d` passed, which reset the target and so failed `op`, the result
// is d.timeout_error() instead of the target's error. `what` as for arm().
template <class T>
awaitable<result<T>> within(deadline& d, deadline::clock::duration limit, std::string_view what,
                            awaitable<result<T>> op) {
  struct disarm_on_exit {
    deadline& d;
    ~disarm_on_exit() { d.disarm(); }
  } guard{d};
  d.arm(limit, what);
  auto r = co_await std::move(op);
  if (!r && d.expired()) co_return d.timeout_error();
  co_return r;
}

// A deadline that resets a stream (anything with reset()) when it passes.
template <class Stream>
class resetting_deadline : public deadline {
 public:
  resetting_deadline(std::shared_ptr<deadline_queue> q, Stream& s) noexcept
      : deadline(std::move(q), &reset_target, &s) {}

 private:
  static void reset_target(void* s) { static_cast<Stream*>(s)->reset(); }
};

}  // namespace agentp2p
