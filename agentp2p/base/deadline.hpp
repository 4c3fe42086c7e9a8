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

}  // namespace agentp2p
