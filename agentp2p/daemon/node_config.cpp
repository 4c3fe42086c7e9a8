#include "agentp2p/daemon/node_config.hpp"

#include "agentp2p/security/pnet/psk.hpp"

namespace agentp2p::daemon {

namespace {
std::size_t size(std::int64_t v) { return static_cast<std::size_t>(v < 0 ? 0 : v); }
}  // namespace

node_limits limits_from(const config& cfg) {
  const auto& c = cfg.limits;
  node_limits l;
  l.connections = size(cfg.connections.max);
  l.connections_per_peer = size(cfg.connections.max_per_peer);
  l.inbound_per_ip_per_second = size(c.inbound_per_ip_per_second);
  l.inbound_per_ip_burst = size(c.inbound_per_ip_burst);
  l.handshakes = size(c.handshakes);
  l.handshakes_per_ip = size(c.handshakes_per_ip);
  l.pending_dials = size(c.pending_dials);
  l.streams_per_connection = size(c.streams_per_connection);
  l.negotiating_streams_per_connection = size(c.negotiating_streams_per_connection);
  l.inbound_streams_per_protocol = size(c.inbound_streams_per_protocol);
  l.stream_window = size(c.stream_window);
  l.stream_window_max = size(c.stream_window_max);
  l.buffer_per_connection = size(c.buffer_per_connection);
  l.buffer_per_node = size(c.buffer_per_node);
  l.json_line = size(c.json_line);
  l.mcp_message = size(c.mcp_message);
  l.a2a_message = size(c.a2a_message);
  l.http_body = size(c.http_body);
  l.http_header = size(c.http_header);
  l.dht_record = size(c.dht_record);
  l.tool_calls = size(c.tool_calls);
  l.tool_calls_per_peer = size(c.tool_calls_per_peer);
  l.tool_calls_per_peer_per_second = size(c.tool_calls_per_second);
  l.tool_calls_burst = size(c.tool_calls_burst);
  l.a2a_tasks = size(c.a2a_tasks);
  l.a2a_tasks_per_peer = size(c.a2a_tasks_per_peer);
  return l;
}

result<access_control> access_from(const config& cfg) {
  access_control a;
  const auto& s = cfg.security;
  if (!s.psk_file.empty()) {
    auto k = pnet::load_swarm_key(s.psk_file);
    if (!k) {
      auto e = std::move(k).error();
      e.message = "security.psk_file: " + e.message;
      return e;
    }
    a.psk = *k;
  }
  // The table checked every item already; parse errors here would be bugs.
  auto peers = [](const std::vector<std::string>& in, std::vector<crypto::peer_id>& out,
                  std::string_view key) -> result<void> {
    for (const auto& p : in) {
      auto id = crypto::peer_id::parse(p);
      if (!id) return make_error(errc::invalid_argument, std::string(key) + ": '" + p + "' is not a peer id");
      out.push_back(*id);
    }
    return {};
  };
  auto networks = [](const std::vector<std::string>& in, std::vector<host::ip_network>& out,
                     std::string_view key) -> result<void> {
    for (const auto& n : in) {
      auto net = host::ip_network::parse(n);
      if (!net) return make_error(errc::invalid_argument, std::string(key) + ": '" + n + "' is not an IP network");
      out.push_back(*net);
    }
    return {};
  };
  AP_TRYV(peers(s.allow_peers, a.gater.allow_peers, "security.allow_peers"));
  AP_TRYV(peers(s.deny_peers, a.gater.deny_peers, "security.deny_peers"));
  AP_TRYV(networks(s.allow_cidrs, a.gater.allow_networks, "security.allow_cidrs"));
  AP_TRYV(networks(s.deny_cidrs, a.gater.deny_networks, "security.deny_cidrs"));
  const auto& e = cfg.tools.expose;
  if (e.size() == 1 && e.front() == "all") a.local_tools = tools::exposure::everyone();
  else if (e.empty() || (e.size() == 1 && e.front() == "none")) a.local_tools = tools::exposure::nobody();
  else a.local_tools = tools::exposure::only(e);
  a.public_tools = cfg.tools.public_tools;
  a.private_tools = cfg.tools.private_tools;
  a.relay_for_peers = cfg.tools.relay_for_peers;
  return a;
}

result<node_options> node_options_from(const config& cfg, const std::filesystem::path& data_dir,
                                       std::string agent_version) {
  node_options opts;
  opts.data_dir = data_dir;
  opts.identity_file = cfg.identity.file.empty() ? data_dir / "identity.key" : std::filesystem::path(cfg.identity.file);
  opts.listen = cfg.listen;
  opts.name = cfg.agent.name;
  opts.version = cfg.agent.version;
  opts.description = cfg.agent.description;
  opts.capabilities = cfg.agent.capabilities;
  opts.agent_version = std::move(agent_version);
  opts.limits = limits_from(cfg);
  AP_TRY(opts.access, access_from(cfg));
  for (const auto& m : cfg.mcp_servers) {
    mcp::external_server_config e;
    e.name = m.name;
    e.command = m.command;
    e.args = m.args;
    e.env = m.env;
    e.cwd = m.cwd;
    e.url = m.url;
    e.headers = m.headers;
    e.expose = m.expose;
    e.expose_peers = m.expose_peers;
    e.max_line = opts.limits.mcp_message;
    opts.mcp_servers.push_back(std::move(e));
  }
  opts.dht.enabled = cfg.dht.enabled;
  AP_TRY(opts.dht.mode, kad::parse_mode(cfg.dht.mode));
  opts.dht.protocol_prefix = cfg.dht.protocol_prefix;
  opts.enable_perf = cfg.perf.enabled;
  return opts;
}

}  // namespace agentp2p::daemon
