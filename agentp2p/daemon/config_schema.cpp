#include "agentp2p/daemon/config_schema.hpp"

#include <algorithm>
#include <charconv>
#include <cctype>
#include <optional>

#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/host/gater.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::daemon::schema {

namespace {

std::string q(std::string_view v) { return "'" + std::string(v) + "'"; }

std::string non_empty(std::string_view v) { return v.empty() ? "must not be empty" : ""; }

std::string agent_name(std::string_view v) {
  if (v.empty() || v.size() > 128) return "must be 1-128 characters";
  return "";
}

std::string listen_addr(std::string_view v) {
  auto a = multiformats::multiaddr::parse(v);
  if (!a) return q(v) + " is not a multiaddr (" + a.error().message + "); e.g. /ip4/0.0.0.0/tcp/4001";
  if (!a->has(multiformats::protocol_code::tcp))
    return q(v) + " has no /tcp/<port>; only TCP is supported, e.g. /ip4/0.0.0.0/tcp/4001";
  if (a->has(multiformats::protocol_code::p2p)) return q(v) + ": a listen address has no /p2p/<peer id>";
  return "";
}

std::string peer_addr(std::string_view v) {
  auto a = multiformats::multiaddr::parse(v);
  if (!a) return q(v) + " is not a multiaddr (" + a.error().message + ")";
  if (!a->has(multiformats::protocol_code::p2p))
    return q(v) + " must end in /p2p/<peer id>, e.g. /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...";
  return "";
}

std::string interface_name(std::string_view v) {
  // IFNAMSIZ is 16 with the terminating NUL.
  if (v.empty() || v.size() > 15) return q(v) + " is not an interface name (1-15 characters, or the word all)";
  return "";
}

std::string service_name(std::string_view v) {
  if (v.empty() || v.size() > 63) return q(v) + " must be 1-63 characters (e.g. _p2p._udp)";
  for (char c : v)
    if (c <= ' ' || c == 0x7f) return q(v) + " must not contain spaces or control characters";
  return "";
}

std::string protocol_prefix(std::string_view v) {
  if (v.empty() || v.front() != '/' || v.back() == '/')
    return q(v) + " must start with / and not end with one, e.g. /ipfs or /agentp2p";
  for (char c : v)
    if (c <= ' ' || c == 0x7f) return q(v) + " must not contain spaces or control characters";
  return "";
}

// host:port, host an IPv4 literal, [IPv6] or localhost (the API must not
// depend on DNS).
std::string http_address(std::string_view v) {
  auto colon = v.rfind(':');
  const std::string example = "; e.g. 127.0.0.1:7420, [::1]:7420 or 127.0.0.1:0";
  if (colon == std::string_view::npos || colon == 0) return q(v) + " is not host:port" + example;
  auto host = v.substr(0, colon);
  auto port = v.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    return q(v) + ": port must be 0-65535" + example;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return q(v) + ": IPv6 host must be in brackets" + example;
    return "";
  }
  if (host == "localhost") return "";
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return q(v) + ": host must be an IP address or localhost" + example;
  }
  if (dots != 3) return q(v) + ": host must be an IP address or localhost" + example;
  return "";
}

std::string origin(std::string_view v) {
  if (v == "*") return "";
  if (!v.starts_with("http://") && !v.starts_with("https://"))
    return q(v) + " must be an origin such as http://localhost:3000 (scheme://host[:port]) or *";
  return "";
}

std::string capability(std::string_view v) {
  if (v.empty() || v.size() > 64) return "a capability must be 1-64 characters";
  return "";
}

std::string peer_id(std::string_view v) {
  if (auto id = crypto::peer_id::parse(v); !id) return q(v) + " is not a peer id (e.g. 12D3KooW...)";
  return "";
}

std::string cidr(std::string_view v) {
  if (auto n = host::ip_network::parse(v); !n)
    return q(v) + " is not an IP network (e.g. 10.0.0.0/8, fd00::/8 or 192.0.2.7)";
  return "";
}

std::string exposure(std::string_view v) {
  if (v == "all" || v == "none") return "";
  if (auto id = crypto::peer_id::parse(v); !id) return q(v) + " is neither all, none nor a peer id";
  return "";
}

std::string tool_name(std::string_view v) {
  if (v.empty() || v.size() > 128) return q(v) + ": a tool name has 1-128 characters";
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      return q(v) + ": a tool name uses letters, digits, _, - and . (e.g. files.read_file)";
  return "";
}

// Accessors for nested members (pointers to members do not compose).
std::string& agent_name_ref(config& c) { return c.agent.name; }
std::string& agent_version_ref(config& c) { return c.agent.version; }
std::string& agent_description_ref(config& c) { return c.agent.description; }
std::vector<std::string>& agent_capabilities_ref(config& c) { return c.agent.capabilities; }
std::string& identity_file_ref(config& c) { return c.identity.file; }
std::string& data_dir_ref(config& c) { return c.data_dir; }
std::vector<std::string>& listen_ref(config& c) { return c.listen; }
bool& mdns_enabled_ref(config& c) { return c.mdns.enabled; }
std::vector<std::string>& mdns_interfaces_ref(config& c) { return c.mdns.interfaces; }
std::vector<std::string>& mdns_services_ref(config& c) { return c.mdns.service_names; }
bool& dht_enabled_ref(config& c) { return c.dht.enabled; }
std::string& dht_mode_ref(config& c) { return c.dht.mode; }
std::string& dht_prefix_ref(config& c) { return c.dht.protocol_prefix; }
std::vector<std::string>& bootstrap_ref(config& c) { return c.bootstrap; }
std::int64_t& conn_low_ref(config& c) { return c.connections.low; }
std::int64_t& conn_high_ref(config& c) { return c.connections.high; }
std::int64_t& conn_max_ref(config& c) { return c.connections.max; }
std::int64_t& conn_per_peer_ref(config& c) { return c.connections.max_per_peer; }
std::chrono::milliseconds& conn_grace_ref(config& c) { return c.connections.grace_period; }
std::vector<mcp_server_config>& mcp_servers_ref(config& c) { return c.mcp_servers; }
std::string& psk_file_ref(config& c) { return c.security.psk_file; }
std::vector<std::string>& allow_peers_ref(config& c) { return c.security.allow_peers; }
std::vector<std::string>& deny_peers_ref(config& c) { return c.security.deny_peers; }
std::vector<std::string>& allow_cidrs_ref(config& c) { return c.security.allow_cidrs; }
std::vector<std::string>& deny_cidrs_ref(config& c) { return c.security.deny_cidrs; }
std::vector<std::string>& tools_expose_ref(config& c) { return c.tools.expose; }
std::vector<std::string>& tools_public_ref(config& c) { return c.tools.public_tools; }
std::vector<std::string>& tools_private_ref(config& c) { return c.tools.private_tools; }
bool& tools_relay_ref(config& c) { return c.tools.relay_for_peers; }
std::chrono::milliseconds& mcp_idle_ref(config& c) { return c.http.mcp_session_idle_timeout; }
#define AP_LIMIT(member) int_ref([](config& c) -> std::int64_t& { return c.limits.member; })
bool& http_enabled_ref(config& c) { return c.http.enabled; }
std::string& http_address_ref(config& c) { return c.http.address; }
std::string& http_token_ref(config& c) { return c.http.token; }
std::vector<std::string>& http_origins_ref(config& c) { return c.http.allowed_origins; }
std::string& log_level_ref(config& c) { return c.logging.level; }
bool& log_json_ref(config& c) { return c.logging.json; }
bool& perf_enabled_ref(config& c) { return c.perf.enabled; }

std::vector<setting> make_table() {
  std::vector<setting> t;
  auto add = [&t](setting s) { t.push_back(std::move(s)); };
  add({.key = "agent.name", .field = agent_name_ref, .defaults = {"agentp2p-agent"}, .check = "1-128 characters",
       .description = "Name on this agent's praxis and A2A cards.", .env = "AGENTP2P_NAME", .check_value = agent_name});
  add({.key = "agent.version", .field = agent_version_ref, .defaults = {"0.1.0"}, .check = "not empty",
       .description = "Version on the cards.", .env = "AGENTP2P_AGENT_VERSION", .check_value = non_empty});
  add({.key = "agent.description", .field = agent_description_ref, .defaults = {"An agentp2p agent"}, .check = "",
       .description = "One line about what this agent does (A2A card).", .env = "AGENTP2P_AGENT_DESCRIPTION"});
  add({.key = "agent.capabilities", .field = agent_capabilities_ref, .defaults = {"mcp", "p2p", "tools"},
       .check = "1-64 characters each", .description = "Capabilities announced on the praxis card.",
       .env = "AGENTP2P_AGENT_CAPABILITIES", .check_value = capability});
  add({.key = "identity.file", .field = identity_file_ref, .defaults = {""}, .check = "",
       .description = "Private key file (protobuf-encoded libp2p key, mode 0600); created when missing. "
                      "Empty: DATA_DIR/identity.key.",
       .env = "AGENTP2P_IDENTITY"});
  add({.key = "data_dir", .field = data_dir_ref, .defaults = {""}, .check = "",
       .description = "Where the identity, the A2A task store (tasks.db) and api.json live; created 0700. "
                      "Empty: $XDG_DATA_HOME/agentp2p, else ~/.local/share/agentp2p.",
       .env = "AGENTP2P_DATA_DIR"});
  add({.key = "listen", .field = listen_ref, .defaults = {"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"},
       .check = "TCP multiaddrs",
       .description = "libp2p listen addresses; port 0 lets the OS choose (the ready line and /api/v1/node show the "
                      "result). An IPv6 wildcard is skipped on machines without IPv6.",
       .env = "AGENTP2P_LISTEN", .check_value = listen_addr});
  add({.key = "mdns.enabled", .field = mdns_enabled_ref, .defaults = {"true"}, .check = "",
       .description = "Discover agents on the local network by multicast DNS (and answer their queries).",
       .env = "AGENTP2P_MDNS"});
  add({.key = "mdns.interfaces", .field = mdns_interfaces_ref, .defaults = {"lo"},
       .check = "interface names, or all",
       .description = "Interfaces mDNS runs on. The default, lo, finds agents on this machine only and sends "
                      "nothing to the network; list your LAN interface (e.g. eth0) or write all to find agents "
                      "on the local network.",
       .env = "AGENTP2P_MDNS_INTERFACES", .check_value = interface_name});
  add({.key = "mdns.service_names", .field = mdns_services_ref, .defaults = {"_p2p._udp", "praxis-p2p-mcp"},
       .check = "1-63 characters each",
       .description = "DNS-SD services browsed and answered: _p2p._udp is the libp2p standard, praxis-p2p-mcp "
                      "what praxis-go-sdk agents use.",
       .env = "AGENTP2P_MDNS_SERVICE_NAMES", .check_value = service_name});
  add({.key = "dht.enabled", .field = dht_enabled_ref, .defaults = {"true"}, .check = "",
       .description = "Run the Kademlia DHT (peer routing; find-agents by tool).", .env = "AGENTP2P_DHT"});
  add({.key = "dht.mode", .field = dht_mode_ref, .defaults = {"auto"}, .check = "auto, client or server",
       .description = "server answers DHT queries, client only asks; auto is server when listening on a "
                      "non-loopback address.",
       .env = "AGENTP2P_DHT_MODE", .one_of = {"auto", "client", "server"}});
  add({.key = "dht.protocol_prefix", .field = dht_prefix_ref, .defaults = {"/ipfs"}, .check = "/name",
       .description = "DHT protocol is <prefix>/kad/1.0.0; /ipfs joins the public network's protocol (as "
                      "praxis-go-sdk does), a private agent network picks its own.",
       .env = "AGENTP2P_DHT_PROTOCOL_PREFIX", .check_value = protocol_prefix});
  add({.key = "bootstrap", .field = bootstrap_ref, .defaults = {}, .check = "multiaddrs with /p2p/<peer id>",
       .description = "Peers dialled at start (and kept connected) to join a network beyond the local one.",
       .env = "AGENTP2P_BOOTSTRAP", .check_value = peer_addr});
  add({.key = "connections.low", .field = conn_low_ref, .defaults = {"100"}, .check = "0-1000000",
       .description = "When trimming, connections are closed down to this many.", .env = "AGENTP2P_CONNECTIONS_LOW",
       .min = 0, .max = 1000000});
  add({.key = "connections.high", .field = conn_high_ref, .defaults = {"400"}, .check = ">= low",
       .description = "Above this many connections the least useful ones are trimmed.",
       .env = "AGENTP2P_CONNECTIONS_HIGH", .min = 1, .max = 1000000});
  add({.key = "connections.max", .field = conn_max_ref, .defaults = {"8192"}, .check = ">= high",
       .description = "Hard limit on connections; further inbound ones are refused.",
       .env = "AGENTP2P_CONNECTIONS_MAX", .min = 1, .max = 1000000});
  add({.key = "connections.max_per_peer", .field = conn_per_peer_ref, .defaults = {"4"}, .check = "1-64",
       .description = "Connections to one peer; extra inbound ones are refused.",
       .env = "AGENTP2P_CONNECTIONS_MAX_PER_PEER", .min = 1, .max = 64});
  add({.key = "connections.grace_period", .field = conn_grace_ref, .defaults = {"20s"}, .check = "duration",
       .description = "A new connection is not trimmed for this long.", .env = "AGENTP2P_CONNECTIONS_GRACE_PERIOD"});
  add({.key = "limits.inbound_per_ip_per_second", .field = AP_LIMIT(inbound_per_ip_per_second), .defaults = {"64"}, .check = "0-100000 (0 = off)",
       .description = "New inbound connections a second from one IP address (a token bucket; over it the connection is closed before any handshake).",
       .env = "AGENTP2P_LIMITS_INBOUND_PER_IP_PER_SECOND", .min = 0, .max = 100000});
  add({.key = "limits.inbound_per_ip_burst", .field = AP_LIMIT(inbound_per_ip_burst), .defaults = {"128"}, .check = "0-1000000",
       .description = "How many of those one IP may save up for a burst.",
       .env = "AGENTP2P_LIMITS_INBOUND_PER_IP_BURST", .min = 0, .max = 1000000});
  add({.key = "limits.handshakes", .field = AP_LIMIT(handshakes), .defaults = {"256"}, .check = "1-1000000",
       .description = "Inbound connections in their handshake at once; more are refused at accept.",
       .env = "AGENTP2P_LIMITS_HANDSHAKES", .min = 1, .max = 1000000});
  add({.key = "limits.handshakes_per_ip", .field = AP_LIMIT(handshakes_per_ip), .defaults = {"32"}, .check = "0-100000 (0 = off)",
       .description = "Inbound handshakes in progress from one IP address.",
       .env = "AGENTP2P_LIMITS_HANDSHAKES_PER_IP", .min = 0, .max = 100000});
  add({.key = "limits.pending_dials", .field = AP_LIMIT(pending_dials), .defaults = {"32"}, .check = "1-10000",
       .description = "Outbound dials in progress at once; further dials wait for a slot.",
       .env = "AGENTP2P_LIMITS_PENDING_DIALS", .min = 1, .max = 10000});
  add({.key = "limits.streams_per_connection", .field = AP_LIMIT(streams_per_connection), .defaults = {"1024"}, .check = "1-1000000",
       .description = "Open streams on one connection, both directions (Yamux); further inbound ones are reset.",
       .env = "AGENTP2P_LIMITS_STREAMS_PER_CONNECTION", .min = 1, .max = 1000000});
  add({.key = "limits.negotiating_streams_per_connection", .field = AP_LIMIT(negotiating_streams_per_connection), .defaults = {"512"}, .check = "1-1000000",
       .description = "Inbound streams of one connection still negotiating their protocol.",
       .env = "AGENTP2P_LIMITS_NEGOTIATING_STREAMS_PER_CONNECTION", .min = 1, .max = 1000000});
  add({.key = "limits.inbound_streams_per_protocol", .field = AP_LIMIT(inbound_streams_per_protocol), .defaults = {"4096"}, .check = "1-10000000",
       .description = "Inbound streams of one protocol whose handlers run at once, node-wide; further ones are reset.",
       .env = "AGENTP2P_LIMITS_INBOUND_STREAMS_PER_PROTOCOL", .min = 1, .max = 10000000});
  add({.key = "limits.stream_window", .field = AP_LIMIT(stream_window), .defaults = {"256KiB"}, .check = "256KiB-1GiB",
       .description = "Yamux receive window a stream starts with.",
       .env = "AGENTP2P_LIMITS_STREAM_WINDOW", .min = 262144, .max = 1073741824, .bytes = true});
  add({.key = "limits.stream_window_max", .field = AP_LIMIT(stream_window_max), .defaults = {"16MiB"}, .check = ">= stream_window",
       .description = "Largest receive window a stream's auto-tuning grows to.",
       .env = "AGENTP2P_LIMITS_STREAM_WINDOW_MAX", .min = 262144, .max = 1073741824, .bytes = true});
  add({.key = "limits.buffer_per_connection", .field = AP_LIMIT(buffer_per_connection), .defaults = {"64MiB"}, .check = ">= stream_window",
       .description = "Receive buffer one connection's peer may make us hold (the sum of its streams' windows); streams beyond it are refused.",
       .env = "AGENTP2P_LIMITS_BUFFER_PER_CONNECTION", .min = 262144, .max = 68719476736, .bytes = true});
  add({.key = "limits.buffer_per_node", .field = AP_LIMIT(buffer_per_node), .defaults = {"2GiB"}, .check = ">= stream_window",
       .description = "The same over all connections of the node.",
       .env = "AGENTP2P_LIMITS_BUFFER_PER_NODE", .min = 262144, .max = 1099511627776, .bytes = true});
  add({.key = "limits.json_line", .field = AP_LIMIT(json_line), .defaults = {"4MiB"}, .check = "1KiB-1GiB",
       .description = "Largest JSON line of the praxis protocols (tool calls, MCP over praxis, cards, A2A over libp2p); a longer one is refused.",
       .env = "AGENTP2P_LIMITS_JSON_LINE", .min = 1024, .max = 1073741824, .bytes = true});
  add({.key = "limits.mcp_message", .field = AP_LIMIT(mcp_message), .defaults = {"4MiB"}, .check = "1KiB-1GiB",
       .description = "Largest MCP message: a /mcp/1.0.0 line, or the body of a POST to /mcp (413).",
       .env = "AGENTP2P_LIMITS_MCP_MESSAGE", .min = 1024, .max = 1073741824, .bytes = true});
  add({.key = "limits.a2a_message", .field = AP_LIMIT(a2a_message), .defaults = {"1MiB"}, .check = "1KiB-1GiB",
       .description = "Largest A2A message (its parts) a task accepts.",
       .env = "AGENTP2P_LIMITS_A2A_MESSAGE", .min = 1024, .max = 1073741824, .bytes = true});
  add({.key = "limits.http_body", .field = AP_LIMIT(http_body), .defaults = {"4MiB"}, .check = "1KiB-1GiB",
       .description = "Largest HTTP request body on the HTTP server (API, MCP, A2A); over it: 413.",
       .env = "AGENTP2P_LIMITS_HTTP_BODY", .min = 1024, .max = 1073741824, .bytes = true});
  add({.key = "limits.http_header", .field = AP_LIMIT(http_header), .defaults = {"16KiB"}, .check = "1KiB-1MiB",
       .description = "Largest HTTP request line + headers; over it: 431.",
       .env = "AGENTP2P_LIMITS_HTTP_HEADER", .min = 1024, .max = 1048576, .bytes = true});
  add({.key = "limits.dht_record", .field = AP_LIMIT(dht_record), .defaults = {"256KiB"}, .check = "1KiB-64MiB",
       .description = "Largest DHT record value stored or accepted.",
       .env = "AGENTP2P_LIMITS_DHT_RECORD", .min = 1024, .max = 67108864, .bytes = true});
  add({.key = "limits.tool_calls", .field = AP_LIMIT(tool_calls), .defaults = {"64"}, .check = "1-100000",
       .description = "Tool handlers running at once on this node; further calls are refused.",
       .env = "AGENTP2P_LIMITS_TOOL_CALLS", .min = 1, .max = 100000});
  add({.key = "limits.tool_calls_per_peer", .field = AP_LIMIT(tool_calls_per_peer), .defaults = {"16"}, .check = "0-100000 (0 = off)",
       .description = "Tool calls one remote peer may have in progress.",
       .env = "AGENTP2P_LIMITS_TOOL_CALLS_PER_PEER", .min = 0, .max = 100000});
  add({.key = "limits.tool_calls_per_second", .field = AP_LIMIT(tool_calls_per_second), .defaults = {"20"}, .check = "0-1000000 (0 = off)",
       .description = "Calls a second one remote peer may make to one tool (a token bucket); over it the call is refused with a limit error.",
       .env = "AGENTP2P_LIMITS_TOOL_CALLS_PER_SECOND", .min = 0, .max = 1000000});
  add({.key = "limits.tool_calls_burst", .field = AP_LIMIT(tool_calls_burst), .defaults = {"40"}, .check = "1-1000000",
       .description = "How many calls to one tool a peer may save up for a burst.",
       .env = "AGENTP2P_LIMITS_TOOL_CALLS_BURST", .min = 1, .max = 1000000});
  add({.key = "limits.a2a_tasks", .field = AP_LIMIT(a2a_tasks), .defaults = {"256"}, .check = "1-100000",
       .description = "A2A task turns running at once on this node.",
       .env = "AGENTP2P_LIMITS_A2A_TASKS", .min = 1, .max = 100000});
  add({.key = "limits.a2a_tasks_per_peer", .field = AP_LIMIT(a2a_tasks_per_peer), .defaults = {"16"}, .check = "1-100000",
       .description = "A2A task turns one peer may have running.",
       .env = "AGENTP2P_LIMITS_A2A_TASKS_PER_PEER", .min = 1, .max = 100000});
  add({.key = "security.psk_file", .field = psk_file_ref, .defaults = {""}, .check = "a swarm.key file, mode 0600",
       .description = "Private network: the pre-shared key file (/key/swarm/psk/1.0.0/, as go-libp2p and js-libp2p "
                      "write it; `agentp2p swarm-key` makes one). Only peers holding the same key can connect; the file "
                      "must not be readable by other users. Empty: a public network.",
       .env = "AGENTP2P_PSK_FILE"});
  add({.key = "security.allow_peers", .field = allow_peers_ref, .defaults = {}, .check = "peer ids",
       .description = "When not empty, only these peers may connect (either direction).",
       .env = "AGENTP2P_ALLOW_PEERS", .check_value = peer_id});
  add({.key = "security.deny_peers", .field = deny_peers_ref, .defaults = {}, .check = "peer ids",
       .description = "Peers that may never connect (checked after the handshake, or before dialing them).",
       .env = "AGENTP2P_DENY_PEERS", .check_value = peer_id});
  add({.key = "security.allow_cidrs", .field = allow_cidrs_ref, .defaults = {}, .check = "IP networks",
       .description = "When not empty, only addresses in these networks may connect (checked before the handshake).",
       .env = "AGENTP2P_ALLOW_CIDRS", .check_value = cidr});
  add({.key = "security.deny_cidrs", .field = deny_cidrs_ref, .defaults = {}, .check = "IP networks",
       .description = "Networks that may never connect, e.g. 10.0.0.0/8 (checked before the handshake).",
       .env = "AGENTP2P_DENY_CIDRS", .check_value = cidr});
  add({.key = "mcp_servers", .field = mcp_servers_ref, .defaults = {}, .check = "see below",
       .description = "External MCP servers whose tools this node offers (see \"MCP servers\" below).", .env = ""});
  add({.key = "tools.expose", .field = tools_expose_ref, .defaults = {"all"}, .check = "all, none or peer ids",
       .description = "Which remote peers may call the node's own tools (registered by the embedding application); "
                      "local callers (HTTP API, MCP over HTTP) always may. External MCP servers' tools follow their "
                      "expose setting; the built-in informational tools are public.",
       .env = "AGENTP2P_TOOLS_EXPOSE", .check_value = exposure});
  add({.key = "tools.public", .field = tools_public_ref, .defaults = {}, .check = "tool names",
       .description = "Tools every peer may call whatever their origin's setting, e.g. one tool of an external "
                      "MCP server: files.read_file.",
       .env = "AGENTP2P_TOOLS_PUBLIC", .check_value = tool_name});
  add({.key = "tools.private", .field = tools_private_ref, .defaults = {}, .check = "tool names",
       .description = "Tools no remote peer may call (they are left off the cards peers receive).",
       .env = "AGENTP2P_TOOLS_PRIVATE", .check_value = tool_name});
  add({.key = "tools.relay_for_peers", .field = tools_relay_ref, .defaults = {"false"}, .check = "",
       .description = "Let remote A2A callers have this node call tools on third peers (off: a task naming another "
                      "peer's tool is refused unless the caller is local).",
       .env = "AGENTP2P_TOOLS_RELAY_FOR_PEERS"});
  add({.key = "http.enabled", .field = http_enabled_ref, .defaults = {"true"}, .check = "",
       .description = "Serve the HTTP API, MCP (/mcp) and A2A (/a2a) on http.address.", .env = "AGENTP2P_HTTP"});
  add({.key = "http.address", .field = http_address_ref, .defaults = {"127.0.0.1:7420"},
       .check = "IP:port or localhost:port",
       .description = "Where the HTTP server listens. Loopback by default: anyone who can reach it can call "
                      "tools, so set http.token before binding another address. Port 0 lets the OS choose "
                      "(the ready line and DATA_DIR/api.json tell the client commands).",
       .env = "AGENTP2P_API", .check_value = http_address});
  add({.key = "http.token", .field = http_token_ref, .defaults = {""}, .check = "",
       .description = "When set, every request needs Authorization: Bearer <token> (the client commands read it "
                      "from AGENTP2P_API_TOKEN or DATA_DIR/api.json). Use ${VAR} to keep it out of the file.",
       .env = "AGENTP2P_API_TOKEN"});
  add({.key = "http.allowed_origins", .field = http_origins_ref, .defaults = {},
       .check = "scheme://host[:port] or *",
       .description = "Browser origins allowed besides the server's own (requests from other origins are "
                      "refused: DNS-rebinding and cross-site protection).",
       .env = "AGENTP2P_API_ALLOWED_ORIGINS", .check_value = origin});
  add({.key = "http.mcp_session_idle_timeout", .field = mcp_idle_ref, .defaults = {"30m"}, .check = "duration > 0",
       .description = "An MCP Streamable HTTP session unused this long is closed and its memory freed (clients "
                      "that come back get 404 and start a new one).",
       .env = "AGENTP2P_MCP_SESSION_IDLE_TIMEOUT"});
  add({.key = "logging.level", .field = log_level_ref, .defaults = {"info"},
       .check = "trace, debug, info, warn, error or off", .description = "Log level (logs go to stderr).",
       .env = "AGENTP2P_LOG_LEVEL", .one_of = {"trace", "debug", "info", "warn", "error", "off"}});
  add({.key = "logging.json", .field = log_json_ref, .defaults = {"false"}, .check = "",
       .description = "Write logs as JSON lines.", .env = "AGENTP2P_LOG_JSON"});
  add({.key = "perf.enabled", .field = perf_enabled_ref, .defaults = {"false"}, .check = "",
       .description = "Serve the libp2p perf protocol (/perf/1.0.0) for throughput measurements.",
       .env = "AGENTP2P_PERF"});
  return t;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    auto comma = s.find(',');
    auto item = s.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::span<const setting> settings() {
  static const std::vector<setting> table = make_table();
  return table;
}

const setting* find(std::string_view key) {
  for (const auto& s : settings())
    if (s.key == key) return &s;
  return nullptr;
}

std::string_view type_name(const setting& s) {
  struct visitor {
    std::string_view operator()(string_ref) const { return "string"; }
    std::string_view operator()(bool_ref) const { return "boolean"; }
    std::string_view operator()(int_ref) const { return "integer"; }
    std::string_view operator()(duration_ref) const { return "duration"; }
    std::string_view operator()(list_ref) const { return "list of strings"; }
    std::string_view operator()(servers_ref) const { return "list of servers"; }
  };
  return std::visit(visitor{}, s.field);
}

std::string parse_bool(std::string_view text, bool& out) {
  static constexpr std::string_view yes[] = {"true", "yes", "on", "1"};
  static constexpr std::string_view no[] = {"false", "no", "off", "0"};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (auto y : yes)
    if (lower == y) return out = true, "";
  for (auto n : no)
    if (lower == n) return out = false, "";
  return "expected true or false, got " + q(text);
}

std::string parse_duration(std::string_view text, std::chrono::milliseconds& out) {
  const std::string wrong = "expected a duration such as 500ms, 30s, 5m or 1h, got " + q(text);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || n < 0) return wrong;
  std::string_view unit(end, text.data() + text.size() - end);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s" || unit.empty()) scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return wrong;
  if (n > std::int64_t(365) * 24 * 3'600'000 / scale) return q(text) + " is longer than a year";
  out = std::chrono::milliseconds(n * scale);
  return "";
}

std::string parse_size(std::string_view text, std::int64_t& out) {
  const std::string wrong = "expected a size such as 65536, 64KiB, 4MiB or 1GiB, got " + q(text);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc{} || n < 0) return wrong;
  std::string unit(end, text.data() + text.size());
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char c) { return std::tolower(c); });
  std::int64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  else if (unit == "kib" || unit == "kb" || unit == "k") scale = 1024;
  else if (unit == "mib" || unit == "mb" || unit == "m") scale = 1024 * 1024;
  else if (unit == "gib" || unit == "gb" || unit == "g") scale = 1024 * 1024 * 1024;
  else return wrong;
  if (n > (std::int64_t{1} << 50) / scale) return q(text) + " is too large";
  out = n * scale;
  return "";
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string assign(config& cfg, const setting& s, const std::vector<std::string>& values) {
  auto scalar = [&]() -> std::optional<std::string> {
    if (values.size() == 1) return values.front();
    return std::nullopt;
  };
  if (auto* f = std::get_if<string_ref>(&s.field)) {
    auto v = scalar();
    if (!v) return "expected one value";
    if (!s.one_of.empty() && std::find(s.one_of.begin(), s.one_of.end(), *v) == s.one_of.end()) {
      std::string allowed;
      for (auto o : s.one_of) allowed += (allowed.empty() ? "" : ", ") + std::string(o);
      return "expected one of " + allowed + ", got " + q(*v);
    }
    if (s.check_value)
      if (auto e = s.check_value(*v); !e.empty()) return e;
    (*f)(cfg) = *v;
    return "";
  }
  if (auto* f = std::get_if<bool_ref>(&s.field)) {
    auto v = scalar();
    if (!v) return "expected one value";
    return parse_bool(*v, (*f)(cfg));
  }
  if (auto* f = std::get_if<int_ref>(&s.field)) {
    auto v = scalar();
    if (!v) return "expected one value";
    std::int64_t n = 0;
    if (s.bytes) {
      if (auto e = parse_size(*v, n); !e.empty()) return e;
    } else {
      auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
      if (v->empty() || ec != std::errc{} || end != v->data() + v->size()) return "expected an integer, got " + q(*v);
    }
    if (s.bytes && s.min < s.max && (n < s.min || n > s.max)) return "must be " + std::string(s.check) + ", got " + *v;
    if (s.min < s.max && (n < s.min || n > s.max))
      return "must be between " + std::to_string(s.min) + " and " + std::to_string(s.max) + ", got " + *v;
    (*f)(cfg) = n;
    return "";
  }
  if (auto* f = std::get_if<duration_ref>(&s.field)) {
    auto v = scalar();
    if (!v) return "expected one value";
    return parse_duration(*v, (*f)(cfg));
  }
  if (auto* f = std::get_if<list_ref>(&s.field)) {
    // One text value from the environment or a flag may hold a comma-separated list.
    std::vector<std::string> items;
    for (const auto& v : values)
      for (auto& item : split_commas(v)) items.push_back(std::move(item));
    if (s.check_value)
      for (const auto& item : items)
        if (auto e = s.check_value(item); !e.empty()) return e;
    (*f)(cfg) = std::move(items);
    return "";
  }
  if (std::get_if<servers_ref>(&s.field)) {
    if (values.empty()) return "";  // the default: none
    return "MCP servers are configured in the config file (mcp_servers:), not as text";
  }
  return "unsupported setting type";
}

std::string check_server(const mcp_server_config& m) {
  const std::string who = "MCP server " + q(m.name) + ": ";
  if (m.name.empty() || m.name.size() > 64) return "MCP server name must be 1-64 characters";
  for (char c : m.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return who + "name may only use letters, digits, _ and - (it prefixes the server's tool names)";
  if (m.command.empty() == m.url.empty()) return who + "set either command (a stdio server) or url (HTTP), not both";
  if (!m.url.empty() && !m.url.starts_with("http://") && !m.url.starts_with("https://"))
    return who + "url must start with http:// or https://, got " + q(m.url);
  if (!m.url.empty() && (!m.args.empty() || !m.env.empty() || !m.cwd.empty()))
    return who + "args, env and cwd apply to stdio servers (command), not to url";
  if (!m.command.empty() && !m.headers.empty()) return who + "headers apply to url servers, not to command";
  if (m.expose != "none" && m.expose != "all" && m.expose != "peers")
    return who + "expose must be none, all or a list of peer ids";
  for (const auto& p : m.expose_peers)
    if (auto id = crypto::peer_id::parse(p); !id) return who + "expose: " + q(p) + " is not a peer id";
  return "";
}

}  // namespace agentp2p::daemon::schema
