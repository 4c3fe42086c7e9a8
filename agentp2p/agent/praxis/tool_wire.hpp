// The /praxis/tool/1.0.0 messages as JSON values: a pure codec (no I/O),
// unit-tested and fuzzed (wire_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/base/result.hpp"

namespace agentp2p::praxis {

struct tool_request {
  boost::json::value id;  // praxis uses strings; echoed as received
  std::string name;
  boost::json::object arguments;
  std::int64_t timestamp = 0;
};
// errc::protocol_error (-32600) for a malformed request, invalid_argument
// (-32602) when "arguments" is not an object.
result<tool_request> parse_tool_request(const boost::json::value& v);
// The same, moving the id and the arguments out of `v` instead of copying
// them (the server's request path); `v` is left as it was when it fails.
result<tool_request> parse_tool_request(boost::json::value&& v);
boost::json::value make_tool_reply(const boost::json::value& id, const result<boost::json::value>& outcome);
// The same, taking the outcome's value instead of copying it (the server's reply path).
boost::json::value make_tool_reply(const boost::json::value& id, result<boost::json::value>&& outcome);

// The reply's meaning, whichever form the remote used (exposed for tests and fuzzing).
result<boost::json::value> parse_tool_reply(const boost::json::value& reply, std::string_view expected_id);
// The same, moving the result out of a reply the caller no longer needs.
result<boost::json::value> parse_tool_reply(boost::json::value&& reply, std::string_view expected_id);

}  // namespace agentp2p::praxis
