#include "agentp2p/base/deadline.hpp"

namespace agentp2p {

std::string describe_duration(duration d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

awaitable<result<void>> idle_deadline::watch(std::string what) const {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    auto deadline = last_ + limit_;
    if (std::chrono::steady_clock::now() >= deadline)
      co_return make_error(errc::timeout, what + " made no progress for " + describe_duration(limit_));
    timer.expires_at(deadline);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return make_error(errc::cancelled, what + ": cancelled");
  }
}

awaitable<void> sleep_for(executor ex, duration d) {
  asio::steady_timer timer(ex, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<void> sleep_for(duration d) {
  auto ex = co_await asio::this_coro::executor;
  co_await sleep_for(ex, d);
}

}  // namespace agentp2p
