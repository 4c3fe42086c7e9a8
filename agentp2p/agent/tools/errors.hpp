// Error codes of the tool layer, as they travel on the wire. Inside the
// library a tool failure is an ordinary agentp2p::error (errc::not_found for
// an unknown tool, errc::timeout for a deadline...); the praxis and MCP
// protocols carry JSON-RPC style {code, message}. These two functions are the
// one place where the two meet, so every protocol reports the same codes.
//
//   -32700 parse_error       a line that is not JSON            (errc::decode_error)
//   -32600 invalid_request   a message of the wrong shape/size  (errc::protocol_error, too_large)
//   -32601 method_not_found  unknown tool or method             (errc::not_found)
//   -32602 invalid_params    arguments break the tool's schema  (errc::invalid_argument)
//   -32603 internal_error    the tool failed or threw           (anything else)
//   -32001 timeout           the call passed its deadline       (errc::timeout)
//   -32002 cancelled         the call was cancelled             (errc::cancelled)
//   -32003 busy              too many calls in progress         (errc::limit_exceeded)
//   -32004 forbidden         the tool is not exposed to the peer (errc::permission_denied)
#pragma once

#include <string>
#include <system_error>

#include "agentp2p/base/result.hpp"

namespace agentp2p::tools {

namespace rpc {
inline constexpr int parse_error = -32700;
inline constexpr int invalid_request = -32600;
inline constexpr int method_not_found = -32601;
inline constexpr int invalid_params = -32602;
inline constexpr int internal_error = -32603;
inline constexpr int timeout = -32001;
inline constexpr int cancelled = -32002;
inline constexpr int busy = -32003;
inline constexpr int forbidden = -32004;
}  // namespace rpc

// Errors whose JSON-RPC code has no errc equivalent (a remote's own codes,
// -32603) keep that code in this category.
const std::error_category& rpc_category() noexcept;

// The wire code for `e`.
int rpc_code(const agentp2p::error& e) noexcept;

// An error received from a remote: known codes map back to their errc, so a
// remote timeout is errc::timeout here too; others keep their number.
agentp2p::error from_rpc(int code, std::string message);

}  // namespace agentp2p::tools
