// The local tool registry: the tools this agent offers, whoever calls them
// (the praxis tool protocol, MCP, the daemon's HTTP API, code in-process).
//
//   tools::registry reg;                      // 4 worker threads
//   reg.add({.name = "add", .description = "a + b", .input_schema = schema}, add_handler);
//   auto r = co_await reg.call("add", args);  // result<boost::json::value>
//
// A call: the tool is looked up (errc::not_found, wire code -32601), a remote
// caller's right to call it is checked against the tool policy
// (errc::permission_denied, -32004) and its per-peer limits (calls in
// progress, calls a second per tool: errc::limit_exceeded, -32003), its
// arguments are checked against the tool's JSON Schema (errc::invalid_argument,
// -32602, naming the field), a slot of `max_concurrent_calls` is taken
// (errc::limit_exceeded, -32003, when none is free: calls never queue without
// bound), and the handler runs on the registry's worker pool — never on the
// caller's (network) thread — unless its tool opted into
// execution::inline_on_caller (below). The result comes back on the caller's
// executor.
// The caller waits at most until the call's deadline (errc::timeout, -32001).
//
// Cancellation: when the deadline passes or the caller's coroutine is
// cancelled (e.g. the remote caller's stream was reset), the handler is told:
// call_context::cancelled() turns true and the handler coroutine receives an
// Asio terminal cancellation (its pending waits end with operation_aborted).
// The caller does not wait for the handler to notice; the handler's slot is
// freed only when it actually returns. A handler that throws produces
// "tool X failed: <what>" (-32603); the registry is unaffected.
//
// Thread safety: add/remove/list/find/call may be used from any thread; a
// caller's executor must be single-threaded or a strand (the host's is).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/tools/caller_limits.hpp"
#include "agentp2p/agent/tools/errors.hpp"
#include "agentp2p/agent/tools/policy.hpp"
#include "agentp2p/agent/tools/schema.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace boost::asio {
class thread_pool;
}

namespace agentp2p::tools {

using duration = std::chrono::steady_clock::duration;

struct config {
  // Worker threads that run tool handlers.
  std::size_t worker_threads = 4;
  // Calls in progress at once (from the call until the handler returns).
  std::size_t max_concurrent_calls = 64;
  // Deadline of a call that does not set its own.
  duration default_deadline = std::chrono::seconds(30);
  // Upper bound on any call's deadline (a remote cannot ask for more).
  duration max_deadline = std::chrono::minutes(10);
  schema_limits schema;
  // Who may call what (policy.hpp): external tools are not exposed to peers by default.
  policy_config policy;
  // Per remote caller: calls in progress, and calls a second per tool.
  caller_limits_config callers;
};

// Where a tool's handler runs.
enum class execution {
  // The registry's worker threads (the default): a handler may block or
  // compute for a while without holding up the caller's (network) thread.
  worker_pool,
  // The caller's executor, started from the call itself: for quick handlers
  // that never block (an echo, a lookup in memory), where handing the call
  // to a worker thread and the result back costs more than the handler.
  // While it runs nothing else on that executor does (for a node: no other
  // stream, no timer), so it must not block and must not compute for long.
  // It may await: at the deadline, or when the caller is cancelled, its
  // pending waits end with operation_aborted and cancelled() turns true, and
  // the caller gets its answer without waiting for it, as on the pool.
  // Policy, per-peer limits, schema checks, max_concurrent_calls (a slot is
  // held until the handler returns) and errors are the same. The registry's
  // destructor neither cancels nor waits for these calls: they finish on
  // their own executor.
  inline_on_caller,
};

struct tool_definition {
  std::string name;         // 1-128 of [A-Za-z0-9_.-] (the MCP rule)
  std::string description;
  boost::json::object input_schema;                  // a JSON Schema for the arguments object
  std::optional<boost::json::object> output_schema;  // when set, results are checked against it
  std::optional<boost::json::object> annotations;    // MCP tool annotations, passed through
  // Where the tool comes from; decides its default exposure to peers (policy.hpp).
  tool_origin origin = tool_origin::local;
  tools::execution execution = tools::execution::worker_pool;
};

// What a running handler knows about its call.
class call_context {
 public:
  const std::string& tool() const noexcept { return tool_; }
  // Who asked: a peer id for remote calls, empty for local ones.
  const std::string& caller() const noexcept { return caller_; }
  std::chrono::steady_clock::time_point deadline() const noexcept { return deadline_; }
  // True once the call was cancelled or passed its deadline. Long-running
  // handlers poll it between steps (waits are cancelled by Asio as well).
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
  // The executor the handler runs on (the worker pool's, or the caller's
  // with execution::inline_on_caller), for its own timers.
  const executor& get_executor() const noexcept { return executor_; }

 private:
  friend class registry;
  std::string tool_;
  std::string caller_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> cancelled_{false};
  executor executor_;
};

using handler = std::function<awaitable<result<boost::json::value>>(boost::json::object arguments, call_context& ctx)>;

struct call_options {
  // Defaults to config::default_deadline; capped at config::max_deadline.
  std::optional<duration> deadline;
  std::string caller;
};

class registry {
 public:
  explicit registry(config cfg = {});
  // Cancels calls in progress and joins the workers (a handler that never
  // returns from a blocking call would hold this up: handlers must not block forever).
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  // errc::already_exists for a name in use; errc::invalid_argument for a bad
  // name or schema.
  result<void> add(tool_definition def, handler h);
  // Replaces an existing tool of the same name.
  result<void> add_or_replace(tool_definition def, handler h);
  bool remove(std::string_view name);

  std::vector<tool_definition> list() const;  // sorted by name
  // The tools `caller` (a peer id; empty = local) may call, sorted by name:
  // what that peer's card and MCP tools/list show.
  std::vector<tool_definition> list_for(std::string_view caller) const;
  // Replaces the tool policy (calls in progress are not affected).
  void set_policy(policy_config cfg);
  // Sets (or, with nullopt, clears) one tool's exposure, overriding its
  // origin's default. Set it before adding the tool, so the first card
  // built after the add already shows it.
  void set_tool_exposure(const std::string& name, std::optional<exposure> who);
  std::optional<tool_definition> find(std::string_view name) const;
  std::size_t size() const;

  awaitable<result<boost::json::value>> call(std::string name, boost::json::object arguments, call_options opts);
  // With the default options. (An overload, not a default argument: GCC 12
  // mishandles a braced default argument of a coroutine parameter.)
  awaitable<result<boost::json::value>> call(std::string name, boost::json::object arguments);

  // Calls in progress (handlers that have not returned yet).
  std::size_t active_calls() const noexcept;
  const config& settings() const noexcept { return config_; }

  // Called after every add/replace/remove, on the thread that made the change.
  using change_listener = std::function<void()>;
  std::uint64_t on_change(change_listener l);
  void remove_listener(std::uint64_t token);

  // Called when a call ends (whatever the outcome), on the caller's
  // executor: metrics and event logs. Must be quick and must not call back.
  struct call_record {
    std::string tool;
    std::string caller;  // peer id, "" for local calls
    std::error_code error;  // empty on success
    std::chrono::steady_clock::duration elapsed{};
  };
  using call_observer = std::function<void(const call_record&)>;
  std::uint64_t on_call(call_observer o);
  void remove_call_observer(std::uint64_t token);

 private:
  struct entry;
  struct job;
  struct call_state;
  struct shared;
  struct inline_call;
  result<void> insert(tool_definition def, handler h, bool replace);
  awaitable<result<boost::json::value>> call_unobserved(std::string name, boost::json::object arguments,
                                                        call_options opts);
  awaitable<result<boost::json::value>> call_inline(std::shared_ptr<const entry> e, boost::json::object arguments,
                                                    std::string caller, duration limit);
  void notify();

  config config_;
  std::shared_ptr<shared> shared_;  // what worker completions touch (never the pool itself)
  std::unique_ptr<asio::thread_pool> pool_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const entry>, std::less<>> tools_;
  tools::policy policy_;
  std::map<std::uint64_t, change_listener> listeners_;
  std::map<std::uint64_t, std::shared_ptr<const call_observer>> call_observers_;
  std::uint64_t next_listener_ = 1;
};

}  // namespace agentp2p::tools
