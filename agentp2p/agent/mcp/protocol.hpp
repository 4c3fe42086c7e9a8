// MCP protocol constants and JSON-RPC 2.0 message shapes (no I/O).
//
// Protocol versions we speak, newest first: 2025-11-25, 2025-06-18,
// 2025-03-26, 2024-11-05. A client asking for one of them gets it; any other
// request is answered with the newest (the client then decides whether to go
// on). JSON-RPC batches exist only in 2024-11-05 and 2025-03-26.
//
// Errors: a handler's agentp2p::error becomes a JSON-RPC error object. The
// code comes from tools::rpc_code (errc::not_found → -32601, invalid_argument
// → -32602, decode_error → -32700, protocol_error/too_large → -32600, other →
// -32603); an exact MCP code (e.g. -32002 "resource not found") is made with
// rpc_error(code, message), which keeps its number.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/base/result.hpp"

namespace agentp2p::mcp {

inline constexpr std::string_view latest_version = "2025-11-25";
inline constexpr std::array<std::string_view, 4> supported_versions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                                       "2024-11-05"};

// The version to answer an initialize request asking for `requested`.
std::string negotiate_version(std::string_view requested);
bool is_supported_version(std::string_view v);
// JSON-RPC batches are part of these versions only.
bool version_allows_batches(std::string_view v);

namespace code {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int resource_not_found = -32002;  // MCP: resources/read of an unknown URI
inline constexpr int request_timeout = -32001;     // MCP SDKs' code for a request that timed out
inline constexpr int connection_closed = -32000;
}  // namespace code

// An error carrying exactly `code` on the wire.
agentp2p::error rpc_error(int code, std::string message);
// The wire code of `e` (see above).
int rpc_code_of(const agentp2p::error& e) noexcept;
// {"code", "message"} for `e`.
boost::json::object error_object(const agentp2p::error& e);
// An error received in a response's "error" member.
agentp2p::error from_error_object(const boost::json::value& err);

// Message builders. `jsonrpc` false builds praxis's simplified form (no "jsonrpc" member).
boost::json::object make_request(const boost::json::value& id, std::string_view method, boost::json::value params);
boost::json::object make_notification(std::string_view method, boost::json::value params);
boost::json::object make_result(const boost::json::value& id, boost::json::value result, bool jsonrpc = true);
boost::json::object make_error_response(const boost::json::value& id, const agentp2p::error& e, bool jsonrpc = true);

// A request id is a string or an integer (JSON-RPC 2.0; MCP forbids null).
bool is_valid_id(const boost::json::value& id) noexcept;
// Canonical text of an id for maps: "s:abc" or "n:42" (so "1" and 1 differ).
std::string id_key(const boost::json::value& id);

// Logging levels of notifications/message, in increasing severity (RFC 5424 names).
enum class log_level { debug, info, notice, warning, error, critical, alert, emergency };
std::optional<log_level> parse_log_level(std::string_view s);
std::string_view to_string(log_level l) noexcept;

// params._meta.progressToken, when the request carries one (a string or a number).
std::optional<boost::json::value> progress_token_of(const boost::json::value& params);

}  // namespace agentp2p::mcp
