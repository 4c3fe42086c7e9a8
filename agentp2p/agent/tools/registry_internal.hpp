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

}  // namespace detail
}  // namespace agentp2p::tools
