#include "agentp2p/muxer/yamux/notifier.hpp"

#include <type_traits>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentp2p::yamux {

namespace {
notifier::waiter::handler_type take(notifier::waiter& w) {
  auto h = std::move(*w.handler);
  w.handler.reset();
  return h;
}
}  // namespace

// Installed in a cancellable waiter's cancellation slot: takes the waiter
// off the list and completes it (posted: cancellation is emitted from inside
// someone else's completion) with "not notified".
struct notifier::cancel_handler {
  notifier* owner;
  waiter* w;
  void operator()(asio::cancellation_type type) {
    if (type == asio::cancellation_type::none || !w->handler) return;
    owner->unlink(*w);
    auto h = take(*w);
    asio::post(owner->executor_, [h = std::move(h)]() mutable { h(false); });
  }
};

notifier::notifier(const executor& ex) : executor_(ex) {}

notifier::~notifier() {
  // Coroutines still waiting must not be destroyed with their handlers: let
  // them run (they see their condition, or a destroyed owner's closed state).
  wake(false);
}

void notifier::link(waiter& w) {
  w.prev = tail_;
  w.next = nullptr;
  w.generation = generation_;
  if (tail_) tail_->next = &w;
  else head_ = &w;
  tail_ = &w;
}

void notifier::unlink(waiter& w) noexcept {
  if (w.prev) w.prev->next = w.next;
  else head_ = w.next;
  if (w.next) w.next->prev = w.prev;
  else tail_ = w.prev;
  w.prev = w.next = nullptr;
}

void notifier::wake(bool now) {
  // Only those waiting now: a woken coroutine that runs inline and waits
  // again joins the next round, not this one.
  const auto round = generation_++;
  while (head_ && head_->generation <= round) {
    waiter* w = head_;
    unlink(*w);
    auto h = take(*w);  // w may be gone once h has run
    if (now) h(true);
    else asio::post(executor_, [h = std::move(h)]() mutable { h(true); });
  }
}

// Not a coroutine: the operation starts when the caller awaits it, with `w`
// in the caller's frame.
awaitable<bool> notifier::suspend(waiter& w, bool cancellable) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(bool)>(
      [this, &w, cancellable](auto handler) {
        if (cancellable) {
          auto slot = asio::get_associated_cancellation_slot(handler);
          if (slot.is_connected()) slot.template emplace<cancel_handler>(cancel_handler{this, &w});
        }
        static_assert(std::is_same_v<decltype(handler), waiter::handler_type>,
                      "Asio's use_awaitable handler type changed: update notifier::waiter");
        w.handler.emplace(std::move(handler));
        link(w);
      },
      asio::use_awaitable);
}

awaitable<bool> notifier::wait() {
  waiter w;
  bool notified = co_await suspend(w, true);
  // An owner's cancellation that arrived after the notification was posted
  // still counts: the caller gives up either way.
  auto state = co_await asio::this_coro::cancellation_state;
  co_return notified && state.cancelled() == asio::cancellation_type::none;
}

awaitable<void> notifier::wait_uninterruptible() {
  waiter w;
  (void)co_await suspend(w, false);
}

}  // namespace agentp2p::yamux
