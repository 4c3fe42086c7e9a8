// A wake-up for coroutines on one executor: waiters suspend until notify().
// Because everything runs on one executor, "check the condition, then wait"
// cannot miss a notify, so callers simply loop: while (!cond) wait().
//
// Waiters are kept as completion handlers in an intrusive list (the node
// lives in the waiting coroutine's frame), not as operations of a timer:
// a timer's cancel() takes the reactor's mutex and walks its timer queue,
// which cost about as much as decrypting a ping. notify() posts the
// waiters' completions; notify_now() runs them at once, inside the caller
// (the read loop uses it to hand data to a waiting stream reader without a
// trip through the event loop) — only call it where the caller's state is
// consistent and it expects the woken coroutine to run before it resumes.
#pragma once

#include <cstddef>
#include <cstdint>

#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::yamux {

class notifier {
 public:
  explicit notifier(const executor& ex);
  // Waiters still suspended are woken (posted), as if notified.
  ~notifier();
  notifier(const notifier&) = delete;
  notifier& operator=(const notifier&) = delete;

  // Wakes every current waiter, through the event loop.
  void notify() { wake(false); }
  // Wakes every current waiter now: each runs until it suspends again
  // before this returns.
  void notify_now() { wake(true); }

  bool has_waiters() const noexcept { return head_ != nullptr; }

  // Suspends until notify(). Returns false when the waiting operation itself
  // was cancelled by its owner (e.g. a with_deadline timeout), so the caller
  // can give up with errc::cancelled.
  awaitable<bool> wait();

  // Suspends until notify(), ignoring cancellation: for waits that must not
  // be abandoned half-way (a frame whose payload the writer is sending from
  // the caller's buffer).
  awaitable<void> wait_uninterruptible();

  struct waiter;

 private:
  struct cancel_handler;
  void wake(bool now);
  void link(waiter& w);
  void unlink(waiter& w) noexcept;
  awaitable<bool> suspend(waiter& w, bool cancellable);

  executor executor_;
  waiter* head_ = nullptr;
  waiter* tail_ = nullptr;
  std::uint64_t generation_ = 0;  // wake rounds so far
};

struct notifier::waiter {
  // The suspended coroutine itself (what use_awaitable makes of a
  // void(bool) completion), stored as is: no allocation per wait.
  // (any_completion_handler would allocate, would take over the
  // cancellation slot, and its move assignment recurses in Boost 1.81.)
  using handler_type = boost::asio::detail::awaitable_handler<executor, bool>;
  std::optional<handler_type> handler;
  waiter* prev = nullptr;
  waiter* next = nullptr;
  std::uint64_t generation = 0;  // the wake round it waits for
};

}  // namespace agentp2p::yamux
