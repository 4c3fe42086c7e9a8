// with_deadline: race an operation against a timer; the loser is cancelled.
// Boost 1.81 has no cancel_after, so every bounded wait in the library goes
// through this one helper. Include only from .cpp files (it pulls in timers
// and awaitable operators).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p {

using duration = std::chrono::steady_clock::duration;

std::string describe_duration(duration d);

// Waits `d` on a timer of the calling coroutine's executor (or of `ex`).
// Cancellation ends the wait early and quietly: callers check their own state.
awaitable<void> sleep_for(duration d);
awaitable<void> sleep_for(executor ex, duration d);

// Runs `op`; if it has not finished after `limit`, cancels it and returns
// errc::timeout with "<what> timed out after <limit>".
template <class T>
awaitable<result<T>> with_deadline(awaitable<result<T>> op, duration limit, std::string_view what) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  auto winner = co_await (std::move(op) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (winner.index() == 0) co_return std::move(std::get<0>(winner));
  co_return make_error(errc::timeout, std::string(what) + " timed out after " + describe_duration(limit));
}

// A deadline that moves with progress, for loops of many small operations
// (a bulk transfer, a series of pings): one timer for the whole exchange,
// woken about once per `limit`, instead of with_deadline's timer and
// parallel group per operation. Run watch() beside the work:
//
//   idle_deadline idle(10s);
//   auto first = co_await (work(idle) || idle.watch("perf: transfer"));
//
// where work() calls idle.progress() after each operation. watch() returns
// errc::timeout ("<what> made no progress for <limit>") once `limit` passed
// without progress; the || then cancels the work.
class idle_deadline {
 public:
  explicit idle_deadline(duration limit) : limit_(limit), last_(std::chrono::steady_clock::now()) {}
  void progress() noexcept { last_ = std::chrono::steady_clock::now(); }
  awaitable<result<void>> watch(std::string what) const;

 private:
  duration limit_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace agentp2p
