#include "agentp2p/daemon/node_limits.hpp"

#include <algorithm>

namespace agentp2p::daemon {

void apply_to(const node_limits& l, host::config& h) {
  h.max_connections = l.connections;
  h.max_connections_per_peer = l.connections_per_peer;
  h.inbound.per_ip_per_second = static_cast<double>(l.inbound_per_ip_per_second);
  h.inbound.per_ip_burst = static_cast<double>(l.inbound_per_ip_burst);
  h.max_pending_inbound = l.handshakes;
  h.inbound.max_pending_per_ip = l.handshakes_per_ip;
  h.max_concurrent_dials = l.pending_dials;
  h.max_negotiating_streams_per_connection = l.negotiating_streams_per_connection;
  h.max_inbound_streams_per_protocol = l.inbound_streams_per_protocol;
}

void apply_to(const node_limits& l, yamux::config& y) {
  y.max_streams = l.streams_per_connection;
  y.initial_stream_window = static_cast<std::uint32_t>(l.stream_window);
  y.max_stream_window = static_cast<std::uint32_t>(l.stream_window_max);
  y.max_connection_buffer = l.buffer_per_connection;
  y.max_node_buffer = l.buffer_per_node;
}

void apply_to(const node_limits& l, tools::config& t) {
  t.max_concurrent_calls = l.tool_calls;
  t.callers.max_concurrent_per_peer = l.tool_calls_per_peer;
  t.callers.calls_per_second = static_cast<double>(l.tool_calls_per_peer_per_second);
  t.callers.burst = static_cast<double>(l.tool_calls_burst);
}

void apply_to(const node_limits& l, a2a::manager_config& a) {
  a.max_active_tasks = l.a2a_tasks;
  a.max_active_tasks_per_peer = l.a2a_tasks_per_peer;
  a.max_message_bytes = l.a2a_message;
}

void apply_to(const node_limits& l, kad::config& k) {
  k.wire.max_value_size = l.dht_record;
  // A message must be able to carry one record with its key and some peers.
  k.wire.max_message_size = std::max(k.wire.max_message_size, l.dht_record + 64 * 1024);
}

void apply_to(const access_control& a, host::config& h) {
  h.psk = a.psk;
  h.gater = a.gater;
}

void apply_to(const access_control& a, tools::policy_config& p) {
  p.local_tools = a.local_tools;
  for (const auto& t : a.public_tools) p.tools[t] = tools::exposure::everyone();
  for (const auto& t : a.private_tools) p.tools[t] = tools::exposure::nobody();
}

}  // namespace agentp2p::daemon
