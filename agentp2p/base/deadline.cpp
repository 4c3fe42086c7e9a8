#include "agentp2p/base/deadline.hpp"

namespace agentp2p {

std::string describe_duration(duration d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
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
