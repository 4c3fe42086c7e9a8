// run_on: co_await work that has to run on another executor (the host's,
// where its state lives; a manager's, where its clients live) and get its
// result back on ours — with our cancellation forwarded to the work.
//
//   auto r = co_await run_on(host_executor, call_peer(...));  // awaitable<result<json::value>>
//
// When the awaiting coroutine is cancelled (a deadline, `||`, a task group,
// the registry cancelling a tool handler), the work receives a terminal
// cancellation on its own executor, through a cancel_relay (see there for why
// plain co_spawn(..., use_awaitable) is not safe across executors in Boost
// 1.81). The caller still waits for the work to end — it ends promptly when
// its waits honour cancellation — and gets its result (or exception).
// `ex` must be single-threaded or a strand. Include only from .cpp files.
#pragma once

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/cancel_relay.hpp"

namespace agentp2p {

namespace detail {

template <class T>
struct initiate_run_on {
  template <class Handler>
  void operator()(Handler&& handler, std::shared_ptr<cancel_relay> relay, awaitable<T> work) const {
    auto caller_slot = asio::get_associated_cancellation_slot(handler);
    // Where the caller resumes; tracked, so its context keeps running meanwhile.
    auto caller = asio::prefer(asio::get_associated_executor(handler, relay->work_executor()),
                               asio::execution::outstanding_work.tracked);
    auto worker = relay->work_executor();
    // On the work's executor once it is done: back to the caller. The relay
    // is held until here, as co_spawn points into its signal until then.
    auto done = [h = std::forward<Handler>(handler), caller, relay](std::exception_ptr e, T value) mutable {
      asio::post(caller, [h = std::move(h), e, value = std::move(value)]() mutable { std::move(h)(e, std::move(value)); });
    };
    asio::co_spawn(worker, relay_work(relay, std::move(work)), asio::bind_cancellation_slot(relay->slot(), std::move(done)));
    // The caller's cancellation only asks the relay (which posts to the
    // work's executor). The slot is cleared when the caller resumes.
    if (caller_slot.is_connected())
      caller_slot.assign([r = std::move(relay)](asio::cancellation_type type) { r->request(type); });
  }
};

}  // namespace detail

template <class T>
awaitable<T> run_on(executor ex, awaitable<T> work) {
  static_assert(!std::is_void_v<T>, "run_on: the work returns a value (result<...>)");
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(std::exception_ptr, T)>(
      detail::initiate_run_on<T>(), asio::use_awaitable, cancel_relay::create(std::move(ex)), std::move(work));
}

}  // namespace agentp2p
