// The P2P-MCP bridge: our MCP server offers the network.
//
// Peer tools. Every tool on the card of every connected peer becomes an MCP
// tool named "<peer>.<tool>": <peer> is the peer's card name (sanitized to
// [A-Za-z0-9_-], at most 48 characters) or, without a name, the last 8
// characters of its peer id. When several connected peers share a name, the
// one with the smallest peer id keeps it and the others get "<name>-<last 6
// of their peer id>", so names are deterministic. Names are cut to MCP's 128
// characters. A call goes to that peer over /praxis/tool/1.0.0; its input
// schema is rebuilt from the card's parameters. Whenever peers or their cards
// come and go the tool set is re-synced, and the MCP server sends
// notifications/tools/list_changed to every session.
//
// Network tools: list_peers, get_peer_card, call_peer_tool, send_a2a_message
// and (with capability search) find_agents. Resources: each connected peer's
// card as agent://peers/<peer id>/card (the template for any known peer is
// served by the daemon, daemon/mcp_resources.hpp).
//
// Everything runs on the host's executor; MCP handlers hop there.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/agent/discovery/capability.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"

namespace agentp2p::mcp_bridge {

struct config {
  bool peer_tools = true;     // "<peer>.<tool>" for every connected peer's tools
  bool network_tools = true;  // list_peers, get_peer_card, call_peer_tool, send_a2a_message, find_agents
  bool peer_resources = true; // agent://peers/<id>/card for connected peers
  std::chrono::milliseconds call_timeout{std::chrono::seconds(60)};
};

// The MCP tool name prefix of a peer whose card says `card_name` (see above).
std::string sanitize_peer_name(std::string_view card_name);
// "<prefix>.<tool>", sanitized and cut to 128 characters.
std::string peer_tool_name(std::string_view prefix, std::string_view tool);

class peer_bridge : public std::enable_shared_from_this<peer_bridge> {
 public:
  // `search` may be null (no DHT): find_agents is then left out.
  static std::shared_ptr<peer_bridge> start(std::shared_ptr<mcp::server> srv, std::shared_ptr<host::host> h,
                                            praxis::agent_services& agent,
                                            std::shared_ptr<discovery::capability_search> search, config cfg);
  ~peer_bridge();
  void stop();

  struct exposed_tool {
    crypto::peer_id peer;
    std::string tool;  // the name on the peer's card
  };
  // MCP name → (peer, tool), as currently exposed.
  const std::map<std::string, exposed_tool>& exposed() const noexcept { return exposed_; }
  // Recomputes the exposed tools now (also done on every peer registry event).
  void sync();

 private:
  peer_bridge(std::shared_ptr<mcp::server> srv, std::shared_ptr<host::host> h, praxis::agent_services& agent,
              std::shared_ptr<discovery::capability_search> search, config cfg);
  void add_network_tools();

  std::shared_ptr<mcp::server> server_;
  std::weak_ptr<host::host> host_;
  executor executor_;
  praxis::agent_services& agent_;
  std::shared_ptr<discovery::capability_search> search_;
  std::shared_ptr<a2a::client> a2a_;
  config config_;
  std::uint64_t peers_token_ = 0;
  std::map<std::string, exposed_tool> exposed_;
  std::map<std::string, card::tool_spec> exposed_specs_;
  std::map<std::string, std::string> resources_;  // uri → peer id
  bool stopped_ = false;
};

}  // namespace agentp2p::mcp_bridge
