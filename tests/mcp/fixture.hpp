// The fixture of the official MCP conformance suite (its "everything
// server"): the tools, resources and prompts its scenarios call, built on our
// MCP server so the suite tests our protocol and transport code.
#pragma once

#include "agentp2p/agent/mcp/server.hpp"

namespace agentp2p::mcp_fixture {

void add_conformance_fixture(mcp::server& srv);

}  // namespace agentp2p::mcp_fixture
