// execution::inline_on_caller: the handler runs on the caller's executor.
// Same shape as a pool call (the caller waits on a timer that is the
// deadline; the handler's completion stores the outcome and wakes it), but
// everything happens on one thread: no strand, no cross-thread hand-off and
// wake-up, no lock around the outcome.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/agent/tools/registry_internal.hpp"

namespace agentp2p::tools {

namespace json = boost::json;
using detail::describe_exception;
using detail::quoted;

// Shared by the waiting caller and the handler's spawn; touched on the
// caller's executor only.
struct registry::inline_call {
  explicit inline_call(executor ex) : wake(std::move(ex)) {}

  asio::steady_timer wake;             // expires at the deadline; cancelled when the outcome is in
  asio::cancellation_signal signal;    // the handler's spawn is bound to it
  bool running = true;                 // the handler's frame exists: emitting reaches only live waits
  std::optional<result<json::value>> outcome;
  call_context ctx;

  void cancel() {
    if (ctx.cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    if (running) signal.emit(asio::cancellation_type::terminal);
  }
};

namespace {

// Clears `running` as the handler's coroutine ends, however it ends: a
// later emit would reach cancellation handlers of waits that are gone.
class running_flag {
 public:
  explicit running_flag(bool& f) : f_(&f) {}
  ~running_flag() { *f_ = false; }
  running_flag(const running_flag&) = delete;
  running_flag& operator=(const running_flag&) = delete;

 private:
  bool* f_;
};

}  // namespace

awaitable<result<json::value>> registry::call_inline(std::shared_ptr<const entry> e, json::object arguments,
                                                     std::string caller, duration limit) {
  auto ex = co_await asio::this_coro::executor;
  auto c = std::make_shared<inline_call>(ex);
  c->ctx.tool_ = e->def.name;
  c->ctx.caller_ = caller;
  c->ctx.deadline_ = std::chrono::steady_clock::now() + limit;
  c->ctx.executor_ = ex;
  c->wake.expires_at(c->ctx.deadline_);

  auto run = [](std::shared_ptr<const entry> e, std::shared_ptr<inline_call> c,
                json::object args) -> awaitable<result<json::value>> {
    running_flag flag(c->running);
    co_return detail::checked_output(co_await e->fn(std::move(args), c->ctx), e->output ? &*e->output : nullptr,
                                     e->def.name);
  };
  // The slot is free before the caller wakes: a caller that looks at
  // active_calls() right after its call returned must not see its own call.
  auto done = [c, sh = shared_, caller = std::move(caller)](std::exception_ptr ex, result<json::value> r) {
    if (ex) r = from_rpc(rpc::internal_error, "tool " + quoted(c->ctx.tool()) + " failed: " + describe_exception(ex));
    sh->callers.release(caller);
    sh->active.fetch_sub(1);
    c->outcome = std::move(r);
    c->wake.cancel();
  };
  asio::co_spawn(ex, run(e, c, std::move(arguments)), asio::bind_cancellation_slot(c->signal.slot(), std::move(done)));

  // If this coroutine is torn down while waiting, the handler is told as well.
  detail::cancel_on_exit<inline_call> guard(c);

  (void)co_await c->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  if (c->outcome) {
    guard.state.reset();
    co_return std::move(*c->outcome);
  }
  auto cs = co_await asio::this_coro::cancellation_state;
  co_return detail::unfinished(cs.cancelled() != asio::cancellation_type::none, e->def.name, limit);
}

}  // namespace agentp2p::tools
