// Limits of the praxis tool and MCP protocols (both sides), with defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/json/value.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::praxis {

// Answers one MCP request (method, params) with its result: the node's full
// MCP server, for mcp.execute methods beyond tools/list, tools/call and ping.
using mcp_execute_fn = std::function<awaitable<result<boost::json::value>>(std::string, boost::json::value)>;

struct server_config {
  // Largest request line; a longer one is answered with -32600 and skipped.
  std::size_t max_line = 4 * 1024 * 1024;
  // A stream with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Requests served on one /praxis/mcp/1.0.0 stream; the next one is
  // answered with -32003 and the stream closed.
  std::size_t max_requests_per_stream = 1000;
  // Requests read ahead on an MCP stream while one is being served.
  std::size_t max_pipelined = 16;
  // Writing one reply (a peer that stops reading holds our flow-control window).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // After the last reply: how long we wait for the peer to close its side.
  std::chrono::milliseconds linger{std::chrono::seconds(2)};
  // mcp.execute's other methods (resources/*, prompts/*, completion/complete...)
  // go here when it holds a function; shared so it can be filled in later.
  std::shared_ptr<mcp_execute_fn> mcp_fallback;
};

struct client_config {
  // A whole remote call: open the stream, send, wait for the reply.
  std::chrono::milliseconds deadline{std::chrono::seconds(30)};
  // Largest reply line.
  std::size_t max_line = 4 * 1024 * 1024;
  std::chrono::milliseconds linger{std::chrono::seconds(2)};
};

}  // namespace agentp2p::praxis
