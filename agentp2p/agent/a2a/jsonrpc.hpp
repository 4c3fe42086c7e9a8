// JSON-RPC 2.0 framing (https://www.jsonrpc.org/specification): requests in,
// responses out, and the client's view of a response. Pure, no I/O.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "agentp2p/base/result.hpp"

namespace agentp2p::a2a {

struct rpc_request {
  boost::json::value id;  // a string or an integer
  std::string method;
  boost::json::object params;  // {} when absent
};

// A request, or the error response to send instead of handling it:
// -32700 (id null) for text that is not JSON, -32600 for JSON that is not a
// JSON-RPC 2.0 request (wrong "jsonrpc", no method, a batch, a missing or
// non-scalar id), -32602 for params that are not an object.
using parsed_request = std::variant<rpc_request, boost::json::value>;
parsed_request parse_request(std::string_view text);
parsed_request parse_request_value(const boost::json::value& v);

boost::json::value make_request(const boost::json::value& id, std::string_view method, boost::json::object params);
boost::json::value make_result(const boost::json::value& id, boost::json::value result);
boost::json::value make_error(const boost::json::value& id, int code, std::string_view message);
// Code from a2a::rpc_code(e), message from e.message.
boost::json::value make_error(const boost::json::value& id, const agentp2p::error& e);

// A response as a client reads it: its id and either a result or an error
// (an agentp2p::error in the a2a::rpc_category, message from the peer).
struct rpc_response {
  boost::json::value id;
  result<boost::json::value> outcome;
};
result<rpc_response> parse_response(const boost::json::value& v);

}  // namespace agentp2p::a2a
