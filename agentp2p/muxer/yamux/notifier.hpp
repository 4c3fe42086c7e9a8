// A wake-up for coroutines on one executor: waiters suspend until notify().
// Because everything runs on one executor, "check the condition, then wait"
// cannot miss a notify, so callers simply loop: while (!cond) wait().
// (A steady_timer that never expires, cancelled to wake its waiters: the
// usual Asio idiom, cheaper than a channel for a one-bit signal.)
#pragma once

#include <boost/asio/steady_timer.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::yamux {

class notifier {
 public:
  explicit notifier(const executor& ex);

  // Wakes every current waiter.
  void notify() { timer_.cancel(); }

  // Suspends until notify(). Returns false when the waiting operation itself
  // was cancelled by its owner (e.g. a with_deadline timeout), so the caller
  // can give up with errc::cancelled.
  awaitable<bool> wait();

  // Suspends until notify(), ignoring cancellation: for waits that must not
  // be abandoned half-way (a frame whose payload the writer is sending from
  // the caller's buffer).
  awaitable<void> wait_uninterruptible();

 private:
  asio::steady_timer timer_;
};

}  // namespace agentp2p::yamux
