// A2A error codes. JSON-RPC 2.0 reserves -32700..-32600 for protocol errors;
// A2A puts its own errors in -32001..-32099 (A2A 0.3 §8, 1.0 §5.4). Module
// functions fail with an agentp2p::error whose code is in this category, so
// every transport (libp2p stream, HTTP) maps a failure to the same wire code.
#pragma once

#include <string>
#include <system_error>

#include "agentp2p/base/result.hpp"

namespace agentp2p::a2a {

enum class rpc_errc : int {
  parse_error = -32700,      // not JSON
  invalid_request = -32600,  // JSON, but not a JSON-RPC 2.0 request
  method_not_found = -32601,
  invalid_params = -32602,
  internal_error = -32603,
  task_not_found = -32001,
  task_not_cancelable = -32002,
  push_notification_not_supported = -32003,
  unsupported_operation = -32004,
  content_type_not_supported = -32005,
  invalid_agent_response = -32006,
  extended_card_not_configured = -32007,
  // Ours (the spec lets servers define codes in -32000..-32099): a peer hit
  // its task limit (max_tasks_per_peer / max_active_tasks_per_peer).
  too_many_tasks = -32050,
};

}  // namespace agentp2p::a2a

template <>
struct std::is_error_code_enum<agentp2p::a2a::rpc_errc> : std::true_type {};

namespace agentp2p::a2a {

const std::error_category& rpc_category() noexcept;
std::error_code make_error_code(rpc_errc e) noexcept;

inline agentp2p::error rpc_error(rpc_errc e, std::string message) { return {make_error_code(e), std::move(message)}; }

// The JSON-RPC code for any error: codes of rpc_category as they are, the
// library's generic codes mapped (invalid_argument → -32602, not_found →
// -32001, ...), anything else -32603.
int rpc_code(const agentp2p::error& e) noexcept;

}  // namespace agentp2p::a2a
