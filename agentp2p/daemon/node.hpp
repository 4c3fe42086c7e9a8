// A running agentp2p node: host + identify + ping, listening on the
// configured addresses with a persistent identity. The daemon's commands
// (issue-level features such as the HTTP API and MCP) build on this.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/identify/identify.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

namespace agentp2p::daemon {

struct node_options {
  std::filesystem::path identity_file;  // created (0600) when missing
  std::vector<std::string> listen = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"};
  std::string agent_version = "agentp2p/0.1.0";
};

// The per-user data directory: $AGENTP2P_DATA_DIR, else $XDG_DATA_HOME/agentp2p,
// else ~/.local/share/agentp2p.
std::filesystem::path default_data_dir();

struct node {
  std::shared_ptr<host::host> host;
  std::shared_ptr<identify::service> identify;
  std::shared_ptr<ping::service> ping;
};

// Builds the node and starts listening. An address that cannot be bound is
// an error naming it, except an IPv6 wildcard on a machine without IPv6.
result<node> start_node(executor ex, const node_options& opts);

}  // namespace agentp2p::daemon
