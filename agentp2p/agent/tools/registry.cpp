#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/agent/tools/registry_internal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/cancel_relay.hpp"
#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::tools {

namespace json = boost::json;

// One call is two objects, so that nothing of the pool outlives the pool and
// nothing of the caller's io_context outlives that context:
//  - job: the handler's side (its context, its cancellation relay, its
//    strand), owned by the handler coroutine and its completion on the pool;
//  - call_state: the caller's side. The caller waits on `wake` (on its own
//    executor), whose expiry is the deadline; the handler's completion stores
//    the outcome and cancels `wake` from the caller's executor, so the timer
//    is only ever touched there.
struct registry::job {
  explicit job(asio::strand<asio::thread_pool::executor_type> s) : strand(std::move(s)), relay(cancel_relay::create(strand)) {}
  asio::strand<asio::thread_pool::executor_type> strand;
  // The handler is spawned bound to the relay's signal: it emits on `strand`
  // only, and never once the handler coroutine has finished (a late emit
  // would reach cancellation handlers of operations that are gone).
  std::shared_ptr<cancel_relay> relay;
  call_context ctx;

  // Flags the context and asks the relay (which posts to the strand).
  static void cancel(std::shared_ptr<job> self) {
    if (self->ctx.cancelled_.exchange(true, std::memory_order_acq_rel)) return;
    self->relay->request(asio::cancellation_type::terminal);
  }
};

struct registry::call_state {
  explicit call_state(executor caller) : wake(std::make_shared<asio::steady_timer>(std::move(caller))) {}

  std::shared_ptr<asio::steady_timer> wake;
  std::weak_ptr<job> work;  // expires when the handler has finished (or the pool is gone)
  std::string tool;
  std::mutex m;
  std::optional<result<json::value>> outcome;

  void deliver(result<json::value> r) {
    {
      std::lock_guard lock(m);
      if (outcome) return;
      outcome = std::move(r);
    }
    asio::post(wake->get_executor(), [w = wake] { w->cancel(); });
  }

  std::optional<result<json::value>> take() {
    std::lock_guard lock(m);
    return std::exchange(outcome, std::nullopt);
  }

  void cancel() {
    if (auto j = work.lock()) job::cancel(std::move(j));
  }
};

namespace {

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

namespace detail {

std::string quoted(std::string_view name) { return "\"" + std::string(name.substr(0, 128)) + "\""; }

std::string describe_exception(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const boost::system::system_error& se) {
    if (se.code() == asio::error::operation_aborted) return "cancelled";
    return se.what();
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

result<json::value> checked_output(result<json::value> r, const schema* output, std::string_view tool) {
  if (r && output) {
    if (auto v = output->validate(*r, "result"); !v)
      return from_rpc(rpc::internal_error,
                      "tool " + quoted(tool) + " returned a result that breaks its output schema: " + v.error().message);
  }
  return r;
}

agentp2p::error unfinished(bool cancelled, std::string_view tool, duration limit) {
  if (cancelled) return agentp2p::error(errc::cancelled, "call to tool " + quoted(tool) + " was cancelled");
  return agentp2p::error(errc::timeout, "tool " + quoted(tool) + " did not finish within " + describe_duration(limit));
}

}  // namespace detail

using detail::describe_exception;
using detail::quoted;

registry::registry(config cfg)
    : config_(std::move(cfg)),
      shared_(std::make_shared<shared>(config_.callers)),
      pool_(std::make_unique<asio::thread_pool>(std::max<std::size_t>(1, config_.worker_threads))),
      policy_(config_.policy) {}

registry::~registry() {
  // Tell every running handler, answer every waiting caller, then stop the
  // workers: a handler still waiting for something is abandoned, not awaited.
  std::vector<std::shared_ptr<call_state>> running;
  {
    std::lock_guard lock(shared_->m);
    for (auto& [_, w] : shared_->in_flight)
      if (auto st = w.lock()) running.push_back(std::move(st));
  }
  for (auto& st : running) {
    st->cancel();
    st->deliver(make_error(errc::cancelled, "tool " + quoted(st->tool) + " was cancelled: the registry stopped"));
  }
  pool_->stop();
  pool_->join();
}

result<void> registry::add(tool_definition def, handler h) { return insert(std::move(def), std::move(h), false); }

result<void> registry::add_or_replace(tool_definition def, handler h) {
  return insert(std::move(def), std::move(h), true);
}

result<void> registry::insert(tool_definition def, handler h, bool replace) {
  if (!valid_name(def.name))
    return make_error(errc::invalid_argument,
                      "tool name " + quoted(def.name) + " is not 1-128 characters of letters, digits, '_', '-', '.'");
  if (!h) return make_error(errc::invalid_argument, "tool " + quoted(def.name) + " has no handler");
  if (auto* t = def.input_schema.if_contains("type"); t && !(t->is_string() && t->get_string() == "object"))
    return make_error(errc::invalid_argument, "tool " + quoted(def.name) + ": input_schema must describe an object");
  auto input = schema::compile(json::value(def.input_schema), config_.schema);
  if (!input) return make_error(errc::invalid_argument, "tool " + quoted(def.name) + " input " + input.error().message);
  std::optional<schema> output;
  if (def.output_schema) {
    auto o = schema::compile(json::value(*def.output_schema), config_.schema);
    if (!o) return make_error(errc::invalid_argument, "tool " + quoted(def.name) + " output " + o.error().message);
    output = std::move(*o);
  }
  auto e = std::make_shared<const entry>(entry{std::move(def), std::move(*input), std::move(output), std::move(h)});
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(e->def.name);
    if (it != tools_.end() && !replace) return make_error(errc::already_exists, "tool " + quoted(e->def.name) + " already exists");
    tools_[e->def.name] = std::move(e);
  }
  notify();
  return ok();
}

bool registry::remove(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(name);
    if (it == tools_.end()) return false;
    tools_.erase(it);  // calls in progress keep their entry alive
  }
  notify();
  return true;
}

std::vector<tool_definition> registry::list() const {
  std::lock_guard lock(mutex_);
  std::vector<tool_definition> out;
  out.reserve(tools_.size());
  for (const auto& [_, e] : tools_) out.push_back(e->def);
  return out;
}

std::vector<tool_definition> registry::list_for(std::string_view caller) const {
  std::lock_guard lock(mutex_);
  std::vector<tool_definition> out;
  for (const auto& [_, e] : tools_)
    if (policy_.allows(e->def.name, e->def.origin, caller)) out.push_back(e->def);
  return out;
}

void registry::set_policy(policy_config cfg) {
  std::lock_guard lock(mutex_);
  policy_ = tools::policy(std::move(cfg));
}

void registry::set_tool_exposure(const std::string& name, std::optional<exposure> who) {
  std::lock_guard lock(mutex_);
  auto cfg = policy_.settings();
  if (who) cfg.tools.insert_or_assign(name, std::move(*who));
  else cfg.tools.erase(name);
  policy_ = tools::policy(std::move(cfg));
}

std::optional<tool_definition> registry::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = tools_.find(name);
  if (it == tools_.end()) return std::nullopt;
  return it->second->def;
}

std::size_t registry::size() const {
  std::lock_guard lock(mutex_);
  return tools_.size();
}

std::size_t registry::active_calls() const noexcept { return shared_->active.load(); }

std::uint64_t registry::on_change(change_listener l) {
  std::lock_guard lock(mutex_);
  auto token = next_listener_++;
  listeners_.emplace(token, std::move(l));
  return token;
}

void registry::remove_listener(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  listeners_.erase(token);
}

void registry::notify() {
  std::map<std::uint64_t, change_listener> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = listeners_;
  }
  for (auto& [_, l] : snapshot) l();
}

namespace {

// Runs on the pool: the handler, then the output check.
awaitable<result<json::value>> invoke(std::shared_ptr<const void> keep_entry, std::shared_ptr<const void> keep_call,
                                      const handler* fn, const schema* output,
                                      json::object args, call_context* ctx) {
  co_return detail::checked_output(co_await (*fn)(std::move(args), *ctx), output, ctx->tool());
}

}  // namespace

awaitable<result<json::value>> registry::call(std::string name, json::object arguments) {
  return call(std::move(name), std::move(arguments), call_options());
}

awaitable<result<json::value>> registry::call(std::string name, json::object arguments, call_options opts) {
  std::vector<std::shared_ptr<const call_observer>> observers;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [token, o] : call_observers_) observers.push_back(o);
  }
  // Not a coroutine itself: without observers the call is call_unobserved's
  // frame alone (one coroutine frame fewer per call).
  if (observers.empty()) return call_unobserved(std::move(name), std::move(arguments), std::move(opts));
  auto observed = [](registry* self, std::vector<std::shared_ptr<const call_observer>> observers, std::string name,
                     json::object arguments, call_options opts) -> awaitable<result<json::value>> {
    call_record rec;
    rec.tool = name;
    rec.caller = opts.caller;
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await self->call_unobserved(std::move(name), std::move(arguments), std::move(opts));
    rec.elapsed = std::chrono::steady_clock::now() - started;
    if (!r) rec.error = r.error().code;
    for (const auto& o : observers) (*o)(rec);
    co_return r;
  };
  return observed(this, std::move(observers), std::move(name), std::move(arguments), std::move(opts));
}

std::uint64_t registry::on_call(call_observer o) {
  std::lock_guard lock(mutex_);
  auto token = next_listener_++;
  call_observers_.emplace(token, std::make_shared<const call_observer>(std::move(o)));
  return token;
}

void registry::remove_call_observer(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  call_observers_.erase(token);
}

awaitable<result<json::value>> registry::call_unobserved(std::string name, json::object arguments, call_options opts) {
  std::shared_ptr<const entry> e;
  {
    std::lock_guard lock(mutex_);
    if (auto it = tools_.find(name); it != tools_.end()) e = it->second;
  }
  if (!e) co_return make_error(errc::not_found, "unknown tool " + quoted(name));
  {
    std::optional<std::string> refused;
    {
      std::lock_guard lock(mutex_);
      refused = policy_.refuse(name, e->def.origin, opts.caller);
    }
    if (refused) {
      static auto& denied = counters::get("tools", "policy_refused", "remote tool calls refused by the tool policy");
      counters::count_and_log(denied, "tool policy: " + *refused);
      co_return make_error(errc::permission_denied, *refused);
    }
  }

  {
    json::value args(std::move(arguments));
    auto valid = e->input.validate(args, "arguments");
    if (!valid) co_return make_error(errc::invalid_argument, "invalid arguments for tool " + quoted(name) + ": " + valid.error().message);
    arguments = std::move(args.get_object());
  }

  duration limit = std::min(opts.deadline.value_or(config_.default_deadline), config_.max_deadline);
  if (limit <= duration::zero()) co_return make_error(errc::timeout, "call to tool " + quoted(name) + " has no time left");

  if (auto refused = shared_->callers.admit(opts.caller, name)) {
    static auto& busy_peer = counters::limit("tools", "peer_concurrency_refused",
                                           "remote tool calls refused: the peer had too many calls in progress");
    static auto& rate = counters::limit("tools", "peer_rate_limited",
                                      "remote tool calls refused: the peer called the tool too often");
    counters::count_and_log(refused->which == caller_limits::refused::limit::rate ? rate : busy_peer,
                            "tool limits: " + refused->message);
    co_return make_error(errc::limit_exceeded, refused->message + "; try again later");
  }
  for (auto n = shared_->active.load();;) {
    if (n >= config_.max_concurrent_calls) {
      shared_->callers.release(opts.caller);
      static auto& busy = counters::limit("tools", "busy_refused", "tool calls refused: too many calls in progress");
      counters::count_and_log(busy, "tool limits: " + std::to_string(config_.max_concurrent_calls) +
                                        " calls in progress; refusing \"" + name + "\"");
      co_return make_error(errc::limit_exceeded, "too many tool calls in progress (limit " +
                                                     std::to_string(config_.max_concurrent_calls) + "); try again later");
    }
    if (shared_->active.compare_exchange_weak(n, n + 1)) break;
  }

  if (e->def.execution == execution::inline_on_caller)
    co_return co_await call_inline(std::move(e), std::move(arguments), std::move(opts.caller), limit);

  auto st = std::make_shared<call_state>(co_await asio::this_coro::executor);
  auto j = std::make_shared<job>(asio::make_strand(pool_->get_executor()));
  st->tool = name;
  st->work = j;
  j->ctx.tool_ = name;
  j->ctx.caller_ = opts.caller;
  j->ctx.deadline_ = std::chrono::steady_clock::now() + limit;
  j->ctx.executor_ = j->strand;
  st->wake->expires_at(j->ctx.deadline_);
  std::uint64_t id;
  {
    std::lock_guard lock(shared_->m);
    id = shared_->next_id++;
    shared_->in_flight.emplace(id, st);
  }

  auto done = [st, j, sh = shared_, id, caller = std::move(opts.caller)](std::exception_ptr ex, result<json::value> r) {
    if (ex) r = from_rpc(rpc::internal_error, "tool " + quoted(st->tool) + " failed: " + describe_exception(ex));
    // The slot is free before the caller wakes: a caller that looks at
    // active_calls() right after its call returned must not see its own call.
    {
      std::lock_guard lock(sh->m);
      sh->in_flight.erase(id);
    }
    sh->callers.release(caller);
    sh->active.fetch_sub(1);
    st->deliver(std::move(r));
  };
  {
    // (A block: nothing of the pool — strand, relay — stays in this frame
    // across the wait below; the registry may be gone when we resume.)
    auto strand = j->strand;
    auto relay = j->relay;
    auto* ctx = &j->ctx;
    // `done` holds the job, and so the relay, until the spawn has completed.
    asio::co_spawn(strand,
                   relay_work(relay, invoke(e, std::move(j), &e->fn, e->output ? &*e->output : nullptr, std::move(arguments), ctx)),
                   asio::bind_cancellation_slot(relay->slot(), std::move(done)));
  }

  // If this coroutine is torn down while waiting (its owner went away), the
  // handler is told as well.
  detail::cancel_on_exit<call_state> guard(st);

  (void)co_await st->wake->async_wait(asio::as_tuple(asio::use_awaitable));
  if (auto out = st->take()) {
    guard.state.reset();
    co_return std::move(*out);
  }
  auto cs = co_await asio::this_coro::cancellation_state;
  co_return detail::unfinished(cs.cancelled() != asio::cancellation_type::none, name, limit);
}

}  // namespace agentp2p::tools
