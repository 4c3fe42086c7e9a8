// A running agentp2p node: a libp2p host (identify, ping) with the agent
// layer on top — tools, praxis cards, peer registry, the praxis tool/MCP
// protocols and A2A tasks persisted in the data directory.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agentp2p/agent/a2a/service.hpp"
#include "agentp2p/agent/a2a/task_manager.hpp"
#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/external_servers.hpp"
#include "agentp2p/agent/mcp_bridge/peer_bridge.hpp"
#include "agentp2p/agent/discovery/capability.hpp"
#include "agentp2p/daemon/node_limits.hpp"
#include "agentp2p/agent/praxis/agent_services.hpp"
#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/kad/kad.hpp"
#include "agentp2p/protocols/perf/perf.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

namespace agentp2p::daemon {

// The DHT of a node (YAML `dht:` → enabled, mode, protocol_prefix).
struct dht_options {
  bool enabled = true;                 // dht.enabled
  kad::mode mode = kad::mode::automatic;  // dht.mode: auto | client | server
  // dht.protocol_prefix: "/ipfs" joins /ipfs/kad/1.0.0; a private agent
  // network picks its own, e.g. "/agentp2p" → /agentp2p/kad/1.0.0.
  std::string protocol_prefix = std::string(kad::default_protocol_prefix);
};

struct node_options {
  std::filesystem::path data_dir;       // tasks.db lives here
  std::filesystem::path identity_file;  // created (0600) when missing
  std::vector<std::string> listen = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"};
  std::string name = "agentp2p-agent";
  std::string version = "0.1.0";
  std::string description = "An agentp2p agent";
  std::vector<std::string> capabilities = card::card_info::default_capabilities();
  std::string agent_version = "agentp2p/0.1.0";
  // Resource limits (connections, streams, buffers, message sizes, calls,
  // tasks) and access control (swarm key, gater, tool exposure): node_limits.hpp.
  node_limits limits;
  access_control access;
  // Told of every task status change as it is stored (events, metrics).
  std::function<void(std::string_view task_id, const a2a::task_status& status)> on_task_status;
  dht_options dht;
  // External MCP servers whose tools become ours ("<server>.<tool>"; YAML mcp_servers).
  std::vector<mcp::external_server_config> mcp_servers;
  // What our MCP server offers of the network: peers' tools, network tools, peer cards.
  bool mcp_bridge = true;
  mcp_bridge::config bridge;
  // Serve /perf/1.0.0 (sends any number of bytes on request: off by default).
  bool enable_perf = false;
};

// The per-user data directory: $AGENTP2P_DATA_DIR, else $XDG_DATA_HOME/agentp2p,
// else ~/.local/share/agentp2p.
std::filesystem::path default_data_dir();

class node {
 public:
  // Builds the node and starts listening. An address that cannot be bound is
  // an error naming it, except an IPv6 wildcard on a machine without IPv6.
  static result<std::unique_ptr<node>> start(executor ex, const node_options& opts);
  ~node();

  host::host& host() noexcept { return *host_; }
  std::shared_ptr<host::host> shared_host() const noexcept { return host_; }
  identify::service& identify() noexcept { return *identify_; }
  ping::service& ping() noexcept { return *ping_; }
  praxis::agent_services& agent() noexcept { return *agent_; }
  a2a::task_manager& tasks() noexcept { return *tasks_; }
  // The A2A JSON-RPC dispatcher (served on /praxis/a2a/1.0.0 and over HTTP).
  std::shared_ptr<a2a::dispatcher> a2a_dispatcher() const noexcept { return a2a_rpc_; }
  // The node's MCP server: its tools, agent://card and each peer's card
  // (agent://peers/{peer}/card); served on /mcp/1.0.0 to every peer.
  mcp::server& mcp() noexcept { return *mcp_; }
  std::shared_ptr<mcp::server> shared_mcp() const noexcept { return mcp_; }
  // The DHT and capability search; null when dht.enabled is false.
  std::shared_ptr<kad::service> dht() const noexcept { return dht_; }
  std::shared_ptr<discovery::capability_search> capabilities() const noexcept { return search_; }
  // The external MCP servers (null when none are configured) and the P2P-MCP bridge (null when off).
  std::shared_ptr<mcp::external_servers> external_mcp() const noexcept { return external_; }
  std::shared_ptr<mcp_bridge::peer_bridge> bridge() const noexcept { return bridge_; }

  // Stops accepting work, finishes tasks' bookkeeping, closes connections.
  awaitable<void> close();

 private:
  node() = default;
  std::shared_ptr<host::host> host_;
  std::shared_ptr<identify::service> identify_;
  std::shared_ptr<ping::service> ping_;
  std::shared_ptr<perf::service> perf_;  // only with enable_perf
  std::unique_ptr<praxis::agent_services> agent_;
  std::shared_ptr<a2a::task_manager> tasks_;
  std::shared_ptr<a2a::dispatcher> a2a_rpc_;
  std::shared_ptr<a2a::service> a2a_;
  std::shared_ptr<mcp::server> mcp_;
  std::shared_ptr<kad::service> dht_;
  std::shared_ptr<discovery::capability_search> search_;
  std::shared_ptr<mcp::external_servers> external_;
  std::shared_ptr<mcp_bridge::peer_bridge> bridge_;
};

}  // namespace agentp2p::daemon
