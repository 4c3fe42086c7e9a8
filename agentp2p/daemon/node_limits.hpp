// The resource limits and access control of a node, in one place.
//
// Each layer keeps its own settings struct (host::config, yamux::config,
// tools::config, a2a::manager_config, http::config, ...), with its own
// defaults. A node gathers the ones an operator tunes here: node_limits
// takes its defaults from those structs (so they cannot drift apart), the
// daemon's config table maps each field to a `limits.*` key (docs/config.md),
// and apply_to() hands the values to the layers when the node is built.
//
// When a limit is hit the layer refuses the connection, stream, message or
// call with a clear error, counts it on a named counter (base/counters.hpp:
// GET /metrics shows agentp2p_limits_hit_total{limit="<module>.<name>"}) and
// writes a rate-limited log line naming the limit and the peer or address.
//
//   node_options opts;
//   opts.limits.tool_calls_per_peer_per_second = 5;
//   opts.access.deny_peers.push_back(*crypto::peer_id::parse("12D3KooW..."));
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/agent/a2a/task_manager.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/host/host.hpp"
#include "agentp2p/muxer/yamux/yamux.hpp"
#include "agentp2p/protocols/kad/kad.hpp"

namespace agentp2p::daemon {

struct node_limits {
  // --- connections (host) -------------------------------------------------
  // Connections in total, and to one peer (extra inbound ones are refused).
  std::size_t connections = host::config{}.max_connections;
  std::size_t connections_per_peer = host::config{}.max_connections_per_peer;
  // New inbound connections a second from one IP, and the burst it may save up (0 = off).
  std::size_t inbound_per_ip_per_second = static_cast<std::size_t>(host::inbound_limits{}.per_ip_per_second);
  std::size_t inbound_per_ip_burst = static_cast<std::size_t>(host::inbound_limits{}.per_ip_burst);
  // Inbound handshakes in progress, in total and from one IP.
  std::size_t handshakes = host::config{}.max_pending_inbound;
  std::size_t handshakes_per_ip = host::inbound_limits{}.max_pending_per_ip;
  // Outbound dials in progress at once (further dials wait for a slot).
  std::size_t pending_dials = host::config{}.max_concurrent_dials;

  // --- streams ------------------------------------------------------------
  // Open streams on one connection, both directions (Yamux; over it: RST).
  std::size_t streams_per_connection = yamux::config{}.max_streams;
  // Inbound streams still negotiating their protocol, per connection.
  std::size_t negotiating_streams_per_connection = host::config{}.max_negotiating_streams_per_connection;
  // Inbound streams of one protocol whose handlers run at once, node-wide.
  std::size_t inbound_streams_per_protocol = host::config{}.max_inbound_streams_per_protocol;

  // --- Yamux receive memory -----------------------------------------------
  // Receive window a stream starts with, and the most auto-tuning grows it to.
  std::size_t stream_window = yamux::config{}.initial_stream_window;
  std::size_t stream_window_max = yamux::config{}.max_stream_window;
  // Bytes the peers may make us buffer: per connection, and over all connections.
  std::size_t buffer_per_connection = yamux::config{}.max_connection_buffer;
  std::size_t buffer_per_node = yamux::config{}.max_node_buffer;

  // --- message sizes ------------------------------------------------------
  // One JSON line of the praxis protocols (tool calls, MCP over praxis, cards, A2A over libp2p).
  std::size_t json_line = 4 * 1024 * 1024;
  // One MCP message: a /mcp/1.0.0 line or a POST body on /mcp.
  std::size_t mcp_message = 4 * 1024 * 1024;
  // One A2A message (a task's message parts) and one POST body on /a2a.
  std::size_t a2a_message = a2a::manager_config{}.max_message_bytes;
  // Any HTTP request: its body, and its request line + headers.
  std::size_t http_body = 4 * 1024 * 1024;
  std::size_t http_header = 16 * 1024;
  // One DHT record value.
  std::size_t dht_record = kad::wire_limits{}.max_value_size;

  // --- tools and tasks ----------------------------------------------------
  // Tool handlers running at once, in total and for one remote peer.
  std::size_t tool_calls = tools::config{}.max_concurrent_calls;
  std::size_t tool_calls_per_peer = tools::caller_limits_config{}.max_concurrent_per_peer;
  // Calls a second one peer may make to one tool (a token bucket), and its burst (0 = off).
  std::size_t tool_calls_per_peer_per_second = static_cast<std::size_t>(tools::caller_limits_config{}.calls_per_second);
  std::size_t tool_calls_burst = static_cast<std::size_t>(tools::caller_limits_config{}.burst);
  // A2A task turns running at once, in total and for one peer.
  std::size_t a2a_tasks = a2a::manager_config{}.max_active_tasks;
  std::size_t a2a_tasks_per_peer = a2a::manager_config{}.max_active_tasks_per_peer;

  bool operator==(const node_limits&) const = default;
};

// Who may connect and call what.
struct access_control {
  // Private network: only peers holding the same pre-shared key connect (pnet).
  std::optional<pnet::psk> psk;
  // Allow/deny lists of peer ids and IP networks, checked before the handshake where possible.
  host::gater_rules gater;
  // Which peers may call the node's own (local) tools; external MCP servers'
  // tools follow their `expose` setting, the built-in informational tools are public.
  tools::exposure local_tools = tools::exposure::everyone();
  // Per-tool overrides: exposed to every peer, or to none.
  std::vector<std::string> public_tools;
  std::vector<std::string> private_tools;
  // Remote A2A callers may have this node call tools on third peers.
  bool relay_for_peers = false;
};

// Writes the limits into the layers' settings.
void apply_to(const node_limits& l, host::config& h);
void apply_to(const node_limits& l, yamux::config& y);
void apply_to(const node_limits& l, tools::config& t);
void apply_to(const node_limits& l, a2a::manager_config& a);
void apply_to(const node_limits& l, kad::config& k);

// The access rules in the host's and the tool registry's settings.
void apply_to(const access_control& a, host::config& h);
void apply_to(const access_control& a, tools::policy_config& p);

}  // namespace agentp2p::daemon
