// /praxis/mcp/1.0.0 (praxis-go-sdk internal/p2p/protocol.go): many requests
// per stream, answered in order, until the caller closes its side.
//
//   → {"type":"request","id":"1","method":"tools.list","params":null}
//   ← {"type":"response","id":"1","method":"tools.list","params":null,"result":[...]}
//
// Methods:
//   tools.list   → our tools as praxis ToolSpecs ({name, description, parameters}, plus "inputSchema")
//   tool.invoke  params {name, arguments} → the tool's result
//   mcp.execute  params an MCP request:
//                  {"method":"tools/list"} → {"tools":[{name, description, inputSchema, ...}]}
//                  {"method":"tools/call","params":{"name":..,"arguments":..}}
//                    → {"content":[{"type":"text","text":..}], "structuredContent"?: {..}, "isError": bool}
//                  {"method":"ping"} → {}
// Errors are {"code","message"} in "error" (agent/tools/errors.hpp). In
// tools/call, as MCP specifies, a tool that ran and failed (or timed out) is
// a result with "isError": true; an unknown tool (-32601) or bad arguments
// (-32602) are errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "agentp2p/agent/praxis/config.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::praxis {

inline constexpr std::string_view mcp_protocol_id = "/praxis/mcp/1.0.0";

void serve_mcp_protocol(host::host& h, std::shared_ptr<tools::registry> reg, server_config cfg = {});
awaitable<void> serve_mcp_stream(std::shared_ptr<tools::registry> reg, std::shared_ptr<host::stream> s,
                                 server_config cfg);

// Tool listings in the two shapes above.
// Listings of the tools `caller` (a peer id; empty = local) may call.
boost::json::value praxis_tool_list(const tools::registry& reg, std::string_view caller = {});
boost::json::value mcp_tool_list(const tools::registry& reg, std::string_view caller = {});
// A tool outcome as an MCP CallToolResult.
boost::json::value mcp_call_result(const result<boost::json::value>& outcome);

// A small client: one stream, requests in turn.
class mcp_client {
 public:
  static awaitable<result<std::unique_ptr<mcp_client>>> open(host::host& h, crypto::peer_id peer, client_config cfg);
  ~mcp_client();

  // The response message as received ({"type":"response","id",...}).
  awaitable<result<boost::json::object>> send(std::string method, boost::json::value params);
  // The response's "result", or its "error" as an error value.
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params);
  // Half-closes and waits for the server to finish.
  awaitable<void> close();

  host::stream& stream() noexcept { return *stream_; }

 private:
  struct impl;
  explicit mcp_client(std::unique_ptr<impl> p);
  std::shared_ptr<host::stream> stream_;
  std::unique_ptr<impl> impl_;
};

}  // namespace agentp2p::praxis
