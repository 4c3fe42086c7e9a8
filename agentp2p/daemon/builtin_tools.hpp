// Tools every node offers: informational, safe for any peer to call.
#pragma once

#include <memory>

#include "agentp2p/agent/praxis/agent_services.hpp"

namespace agentp2p::daemon {

// Registers list_peers and node_info on the agent's tool registry. Handlers
// run on the registry's workers and hop to the host's executor to read its
// state, so nothing is shared across threads.
void register_builtin_tools(praxis::agent_services& agent, std::shared_ptr<host::host> h);

}  // namespace agentp2p::daemon
