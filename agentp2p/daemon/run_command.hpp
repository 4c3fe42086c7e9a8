// `agentp2p run`: builds the configuration from its layers, starts the node
// (and its HTTP server), prints the ready line and runs until SIGINT/SIGTERM.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentp2p/daemon/config.hpp"

namespace agentp2p::daemon {

// Command-line settings of `run` (and `config show`): each present one
// overrides the environment and the file.
struct run_flags {
  std::string config_file;  // --config, else AGENTP2P_CONFIG
  // (key, values, flag name) in the order given.
  struct override_setting {
    std::string key;
    std::vector<std::string> values;
    std::string flag;
  };
  std::vector<override_setting> overrides;
};

struct layered_config {
  config cfg;
  std::vector<std::string> warnings;
  std::string file;  // the file read, "" = none
};

// defaults < file < AGENTP2P_* environment < flags, then validate().
result<layered_config> build_config(const run_flags& flags, const env_lookup& env);

// Exit code of the process (see cli.hpp).
int run_node(const layered_config& cfg, const std::string& agent_version);

// `agentp2p mcp`: a node of its own (no HTTP server) whose MCP server speaks
// on stdin/stdout until the client closes stdin or a signal arrives.
int run_mcp_stdio(const layered_config& cfg, const std::string& agent_version);

}  // namespace agentp2p::daemon
