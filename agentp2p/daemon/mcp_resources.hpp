// The node's MCP resources: our praxis card (agent://card) and each known
// peer's card (agent://peers/{peer}/card).
#pragma once

#include "agentp2p/agent/mcp/libp2p.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"

namespace agentp2p::daemon {

// `host_executor` is where the agent services live; readers hop there.
result<void> add_card_resources(mcp::server& srv, praxis::agent_services& agent, executor host_executor);

}  // namespace agentp2p::daemon
