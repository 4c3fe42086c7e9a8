// cancel_relay: hands a caller's cancellation to a coroutine that runs on
// another executor, without ever emitting into a coroutine that has finished.
//
// Why not just co_spawn(other, work, use_awaitable)? Boost 1.81's co_spawn,
// awaited with a connected cancellation slot, puts a handler in the caller's
// slot that forwards a cancellation by dispatch()ing, to the work's executor,
// a lambda holding a raw pointer into that very handler. When the executors
// differ the lambda is posted; if the work finishes meanwhile, the caller
// resumes and its slot is cleared — the handler is freed — and the posted
// lambda then emits through freed memory (asio issue 1332). And emitting a
// spawned coroutine's signal after it finished reaches cancellation handlers
// of operations that are gone.
//
// The relay owns the signal the work is spawned with. request() may be called
// from any thread: it posts to the work's executor, and emits there only while
// the work is still running. The work clears that flag itself, on its
// executor, as it finishes (relay_work), so an emit and the end of the work
// never interleave. The work's executor must be single-threaded or a strand.
//
//   auto relay = cancel_relay::create(worker);
//   co_spawn(worker, relay_work(relay, job()), bind_cancellation_slot(relay->slot(), done));
//   relay->request();  // from anywhere, any time, as often as you like
//
// Keep the relay alive until the spawned coroutine's completion handler has
// run (capture it there): co_spawn keeps pointers into the signal until then.
// run_on.hpp builds "await work on another executor" on this.
#pragma once

#include <atomic>
#include <memory>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p {

class cancel_relay : public std::enable_shared_from_this<cancel_relay> {
 public:
  static std::shared_ptr<cancel_relay> create(executor work_executor);

  // The slot to bind to the spawn of the work; emitted on the work's executor only.
  asio::cancellation_slot slot() { return signal_.slot(); }
  const executor& work_executor() const noexcept { return work_executor_; }

  // Asks the work to stop (the first request counts). Any thread.
  void request(asio::cancellation_type type = asio::cancellation_type::terminal);
  bool requested() const noexcept { return requested_.load(std::memory_order_acquire); }

  // The work has finished: no emit after this. Call on the work's executor
  // (relay_work does).
  void finished() noexcept { running_ = false; }

 private:
  explicit cancel_relay(executor ex) : work_executor_(std::move(ex)) {}

  executor work_executor_;
  asio::cancellation_signal signal_;  // on work_executor_ only
  bool running_ = true;               // on work_executor_ only (set before the spawn)
  std::atomic<bool> requested_{false};
};

namespace detail {
// Tells the relay when the wrapped work's frame goes, however it ends.
class relay_finish {
 public:
  explicit relay_finish(std::shared_ptr<cancel_relay> r) : relay_(std::move(r)) {}
  ~relay_finish() { relay_->finished(); }
  relay_finish(const relay_finish&) = delete;
  relay_finish& operator=(const relay_finish&) = delete;

 private:
  std::shared_ptr<cancel_relay> relay_;
};
}  // namespace detail

// The coroutine to spawn: `work`, then finished() before anything else can
// run on that executor.
template <class T>
awaitable<T> relay_work(std::shared_ptr<cancel_relay> relay, awaitable<T> work) {
  detail::relay_finish finish(relay);
  co_return co_await std::move(work);
}

inline awaitable<void> relay_work(std::shared_ptr<cancel_relay> relay, awaitable<void> work) {
  detail::relay_finish finish(relay);
  co_await std::move(work);
}

}  // namespace agentp2p
