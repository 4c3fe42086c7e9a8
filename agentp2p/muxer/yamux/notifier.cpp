#include "agentp2p/muxer/yamux/notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentp2p::yamux {

notifier::notifier(const executor& ex) : timer_(ex, asio::steady_timer::time_point::max()) {}

awaitable<bool> notifier::wait() {
  (void)co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  // notify() and an owner's cancellation both complete the wait with
  // operation_aborted; only the latter marks our cancellation state.
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() == asio::cancellation_type::none;
}

awaitable<void> notifier::wait_uninterruptible() {
  // An empty slot detaches the wait from the coroutine's cancellation slot.
  (void)co_await timer_.async_wait(
      asio::bind_cancellation_slot(asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
}

}  // namespace agentp2p::yamux
