// /mcp/1.0.0: MCP over a libp2p stream, framed exactly like MCP's stdio
// transport (one JSON-RPC message per line), so a full session (initialize,
// tools, resources, prompts, ping, server→client requests) runs over it.
// praxis-go-sdk's bridge sends simplified requests ({"id", "method",
// "params"} without "jsonrpc") and no initialize: those are answered in the
// same simplified shape ({"id", "result"} / {"id", "error"}).
#pragma once

#include <memory>
#include <string_view>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::mcp {

inline constexpr std::string_view libp2p_protocol_id = "/mcp/1.0.0";

struct libp2p_config {
  line_config line;
  session_config session = simplified_session();
  static session_config simplified_session() {
    session_config c;
    c.accept_simplified = true;
    return c;
  }
};

// Every stream opened to us on /mcp/1.0.0 becomes a session of `srv`.
void serve_libp2p(host::host& h, std::shared_ptr<server> srv, libp2p_config cfg);
void serve_libp2p(host::host& h, std::shared_ptr<server> srv);
void stop_serving_libp2p(host::host& h);

// The client side: a transport over a new /mcp/1.0.0 stream to `peer`.
awaitable<result<std::unique_ptr<transport>>> open_libp2p(host::host& h, crypto::peer_id peer, line_config cfg);

}  // namespace agentp2p::mcp
