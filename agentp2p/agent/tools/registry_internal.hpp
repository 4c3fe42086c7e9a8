// What registry.cpp and registry_inline.cpp share: a tool's entry, the state
// completions touch, and the wording of errors.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "agentp2p/agent/tools/registry.hpp"

namespace agentp2p::tools {

struct registry::entry {
  tool_definition def;
  schema input;
  std::optional<schema> output;
  handler fn;
};

struct registry::shared {
  explicit shared(caller_limits_config c) : callers(c) {}
  std::atomic<std::size_t> active{0};
  caller_limits callers;
  std::mutex m;
  std::map<std::uint64_t, std::weak_ptr<call_state>> in_flight;  // pool calls only
  std::uint64_t next_id = 1;
};

namespace detail {

std::string quoted(std::string_view name);
// "cancelled" for operation_aborted, else the exception's what().
std::string describe_exception(std::exception_ptr e);

// A handler's result, checked against the tool's output schema when it has one.
result<boost::json::value> checked_output(result<boost::json::value> r, const schema* output, std::string_view tool);

// What a caller that woke without an outcome reports: its own cancellation,
// or the deadline that passed.
agentp2p::error unfinished(bool cancelled, std::string_view tool, duration limit);

// Tells a call's state (anything with cancel()) to cancel the handler when
// the waiting coroutine is torn down before the outcome came; reset `state`
// once it has. (Construct it with parentheses: GCC 12 miscompiles a braced
// initializer that lives across a co_await.)
template <class State>
struct cancel_on_exit {
  explicit cancel_on_exit(std::shared_ptr<State> s) : state(std::move(s)) {}
  ~cancel_on_exit() {
    if (state) state->cancel();
  }
  cancel_on_exit(const cancel_on_exit&) = delete;
  cancel_on_exit& operator=(const cancel_on_exit&) = delete;
  std::shared_ptr<State> state;
};

}  // namespace detail
}  // namespace agentp2p::tools
