// The daemon's configuration: one aggregate, filled in layers —
//   embedded defaults < YAML file < AGENTP2P_* environment < command-line flags.
//
// Every setting is described once, in the table of config_schema.cpp (key,
// type, default, check, description, environment variable). That table feeds
// the defaults, YAML parsing, environment and flag overrides, validation,
// docs/config.md and config/agentp2p.example.yaml (both generated:
// `agentp2p config docs|example`).
//
//   auto cfg = daemon::default_config();
//   auto warnings = daemon::apply_yaml_file(cfg, "agentp2p.yaml");   // result<std::vector<std::string>>
//   daemon::apply_env(cfg, daemon::process_env);                     // AGENTP2P_NAME, ...
//   daemon::apply_setting(cfg, "agent.name", {"from-a-flag"}, "--name");
//   daemon::validate(cfg);
//
// A praxis-go-sdk agent.yaml is accepted too: the keys that apply are mapped
// (agent.name/version/description, p2p.port, p2p.enable_mdns, p2p.enable_dht,
// p2p.bootstrap_nodes, agent.external_mcp_endpoints/external_mcp_servers,
// mcp.servers, http.host/port, logging.level/format) and every other key is
// reported in the returned warnings. `${VAR}` and `${VAR:-default}` in values
// are expanded from the environment in both formats.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/result.hpp"

namespace agentp2p::daemon {

// An MCP server this node starts (stdio) or connects to (url); its tools join
// the node's tool registry under "<name>.<tool>"... see docs/config.md.
struct mcp_server_config {
  std::string name;                            // [A-Za-z0-9_-], unique
  std::string command;                         // stdio: the program ...
  std::vector<std::string> args;               // ... and its arguments
  std::map<std::string, std::string> env;      // extra environment for the program
  std::string cwd;                             // its working directory ("" = the daemon's)
  std::string url;                             // or: a Streamable HTTP endpoint
  std::map<std::string, std::string> headers;  // sent with every HTTP request
  // Which remote peers may call this server's tools: "none" (only local
  // callers: HTTP API, MCP, in-process), "all", or the listed peer ids.
  std::string expose = "none";
  std::vector<std::string> expose_peers;
};

struct config {
  struct agent_section {
    std::string name;
    std::string version;
    std::string description;
    std::vector<std::string> capabilities;
  } agent;
  struct identity_section {
    std::string file;  // "" = DATA_DIR/identity.key
  } identity;
  std::string data_dir;  // "" = the per-user data directory (default_data_dir())
  std::vector<std::string> listen;
  struct mdns_section {
    bool enabled = false;
    std::vector<std::string> interfaces;  // names, or the one word "all"
    std::vector<std::string> service_names;
  } mdns;
  struct dht_section {
    bool enabled = false;
    std::string mode;             // auto | client | server
    std::string protocol_prefix;  // "/ipfs" → /ipfs/kad/1.0.0
  } dht;
  std::vector<std::string> bootstrap;  // multiaddrs ending in /p2p/<peer id>
  struct connections_section {
    std::int64_t low = 0;    // trimming stops at this many connections
    std::int64_t high = 0;   // trimming starts above this many
    std::int64_t max = 0;    // hard limit; further inbound connections are refused
    std::int64_t max_per_peer = 0;
    std::chrono::milliseconds grace_period{0};  // new connections are not trimmed this long
  } connections;
  // Resource limits (node_limits.hpp; `connections.max` and `max_per_peer` above are limits too).
  // Sizes are in bytes.
  struct limits_section {
    std::int64_t inbound_per_ip_per_second = 0, inbound_per_ip_burst = 0;
    std::int64_t handshakes = 0, handshakes_per_ip = 0, pending_dials = 0;
    std::int64_t streams_per_connection = 0, negotiating_streams_per_connection = 0, inbound_streams_per_protocol = 0;
    std::int64_t stream_window = 0, stream_window_max = 0, buffer_per_connection = 0, buffer_per_node = 0;
    std::int64_t json_line = 0, mcp_message = 0, a2a_message = 0, http_body = 0, http_header = 0, dht_record = 0;
    std::int64_t tool_calls = 0, tool_calls_per_peer = 0, tool_calls_per_second = 0, tool_calls_burst = 0;
    std::int64_t a2a_tasks = 0, a2a_tasks_per_peer = 0;
  } limits;
  // Who may connect: a private network's swarm key, allow/deny lists.
  struct security_section {
    std::string psk_file;  // "" = a public network
    std::vector<std::string> allow_peers, deny_peers, allow_cidrs, deny_cidrs;
  } security;
  // Who may call the node's own tools (external MCP servers: mcp_servers[].expose).
  struct tools_section {
    std::vector<std::string> expose;  // ["all"], ["none"] or peer ids
    std::vector<std::string> public_tools, private_tools;
    bool relay_for_peers = false;
  } tools;
  std::vector<mcp_server_config> mcp_servers;
  struct http_section {
    bool enabled = true;
    std::string address;  // host:port; port 0 = chosen by the OS
    std::string token;    // "" = no bearer token required
    std::vector<std::string> allowed_origins;
    std::chrono::milliseconds mcp_session_idle_timeout{0};  // MCP sessions unused this long are closed
  } http;
  struct logging_section {
    std::string level;
    bool json = false;
  } logging;
  struct perf_section {
    bool enabled = false;
  } perf;
};

// The embedded defaults (every setting's default from the table).
config default_config();

// The YAML text of the defaults, as compiled into the binary.
std::string default_config_yaml();

// Reads a YAML file (ours or a praxis-go-sdk agent.yaml) on top of `cfg`.
// Returns the warnings (praxis keys that do not apply, unset ${VAR}s); an
// invalid file is an error naming the file, line and key:
//   "agentp2p.yaml:7: connections.low: expected an integer, got 'many'".
result<std::vector<std::string>> apply_yaml_file(config& cfg, const std::filesystem::path& file);
// The same for text; `source` names it in messages.
result<std::vector<std::string>> apply_yaml_text(config& cfg, std::string_view text, std::string_view source);

// Environment lookup, replaceable in tests.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;
std::optional<std::string> process_env(std::string_view name);
// apply_yaml_text with `${VAR}`s expanded from `env` instead of the process
// environment (tests, fuzzing).
result<std::vector<std::string>> apply_yaml_text(config& cfg, std::string_view text, std::string_view source,
                                                 const env_lookup& env);

// Applies every AGENTP2P_* variable the table names (lists are comma-separated).
result<void> apply_env(config& cfg, const env_lookup& env);

// Sets one setting from text (a flag): `values` has one element for scalar
// settings, any number for lists. `source` names it in errors ("--listen").
result<void> apply_setting(config& cfg, std::string_view key, const std::vector<std::string>& values,
                           std::string_view source);

// Checks that involve several settings (connections.low <= high, unique MCP
// server names, ...). Single-setting checks run as each layer is applied.
result<void> validate(const config& cfg);

// Expands ${VAR} and ${VAR:-default}; `unset` collects the names of
// variables that were unset and had no default (they expand to "").
std::string expand_env(std::string_view text, const env_lookup& env, std::vector<std::string>* unset);

// The effective configuration as YAML (the token is masked).
std::string to_yaml(const config& cfg);

// Generated documentation: a Markdown reference (docs/config.md) and a
// commented example file (config/agentp2p.example.yaml).
std::string config_reference_markdown();
std::string example_config_yaml();

}  // namespace agentp2p::daemon
