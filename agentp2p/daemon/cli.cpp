#include "agentp2p/daemon/cli.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/identity_file.hpp"
#include "agentp2p/daemon/api_client.hpp"
#include "agentp2p/daemon/node.hpp"
#include "agentp2p/daemon/run_command.hpp"
#include "agentp2p/host/host.hpp"
#include "agentp2p/protocols/ping/ping.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

constexpr const char* version_text = "agentp2p 0.1.0";

// --- output --------------------------------------------------------------

void pretty(std::ostream& out, const json::value& v, int indent = 0) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    std::size_t i = 0;
    for (const auto& kv : o) {
      out << pad << "  " << json::serialize(json::value(kv.key())) << ": ";
      pretty(out, kv.value(), indent + 2);
      out << (++i < o.size() ? ",\n" : "\n");
    }
    out << pad << "}";
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    if (a.empty()) {
      out << "[]";
      return;
    }
    out << "[\n";
    for (std::size_t i = 0; i < a.size(); ++i) {
      out << pad << "  ";
      pretty(out, a[i], indent + 2);
      out << (i + 1 < a.size() ? ",\n" : "\n");
    }
    out << pad << "]";
  } else {
    out << json::serialize(v);
  }
}

std::string str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  auto* x = v.as_object().if_contains(key);
  if (!x) return "";
  if (x->is_string()) return std::string(x->as_string());
  if (x->is_null()) return "";
  return json::serialize(*x);
}

// --- client commands -------------------------------------------------------

struct client_options {
  std::string api;
  std::string data_dir;
  bool json = false;
  int timeout_s = 60;
};

void add_client_options(CLI::App* cmd, client_options& o) {
  cmd->add_option("--api", o.api, "URL of the node's HTTP API (env AGENTP2P_API; default: DATA_DIR/api.json)");
  cmd->add_option("--data-dir", o.data_dir, "Data directory of the node, to find its api.json");
  cmd->add_flag("--json", o.json, "Print the API's JSON answer (one line) instead of text");
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for the answer")->check(CLI::Range(1, 3600));
}

// Runs one request and maps the outcome to an exit code; `show` prints a
// successful answer for people.
int request(const client_options& o, std::string_view method, const std::string& target, const std::string& body,
            const std::function<void(const json::value&)>& show) {
  auto dir = o.data_dir.empty() ? default_data_dir() : std::filesystem::path(o.data_dir);
  auto ep = find_api(o.api, dir, process_env);
  if (!ep) {
    std::cerr << "agentp2p: " << ep.error().message << "\n";
    return exit_usage;
  }
  auto reply = api_call(*ep, method, target, body, std::chrono::seconds(o.timeout_s));
  if (!reply) {
    std::cerr << "agentp2p: " << reply.error().message << "\n";
    if (reply.error().is(errc::connection_refused))
      std::cerr << "  (API address from " << ep->found_in << "; is `agentp2p run` running? pass --api URL or --data-dir)\n";
    return reply.error().is(errc::connection_refused) ? exit_no_node : exit_failed;
  }
  boost::system::error_code ec;
  auto v = json::parse(reply->body, ec);
  if (reply->status >= 400) {
    std::string message = ec ? reply->body : str(v.as_object().if_contains("error") ? v.at("error") : v, "message");
    if (o.json) std::cout << reply->body << "\n";
    std::cerr << "agentp2p: " << (message.empty() ? "HTTP " + std::to_string(reply->status) : message) << "\n";
    if (reply->status == 401 || reply->status == 403) {
      std::cerr << "  (the node needs its API token: set AGENTP2P_API_TOKEN)\n";
      return exit_unauthorized;
    }
    return reply->status == 404 ? exit_not_found : reply->status == 400 ? exit_usage : exit_failed;
  }
  if (o.json || ec) {
    std::cout << reply->body << (reply->body.ends_with("\n") ? "" : "\n");
    return exit_ok;
  }
  show(v);
  return exit_ok;
}

void show_json(const json::value& v) {
  pretty(std::cout, v);
  std::cout << "\n";
}

void show_node(const json::value& v) {
  std::cout << "peer id:  " << str(v, "peerId") << "\n"
            << "name:     " << str(v, "name") << " " << str(v, "version") << "\n"
            << "api:      " << str(v, "apiUrl") << "\n"
            << "mcp:      " << str(v, "mcpUrl") << "\n"
            << "peers:    " << str(v, "peers") << " known, " << str(v, "connections") << " connections\n"
            << "tools:    " << str(v, "tools") << "\n";
  if (auto* addrs = v.as_object().if_contains("listenAddrs"); addrs && addrs->is_array())
    for (const auto& a : addrs->as_array()) std::cout << "listen:   " << std::string(a.as_string()) << "\n";
}

// Prints rows as aligned columns (two spaces apart; the last column is not padded).
void print_columns(const std::vector<std::vector<std::string>>& rows, std::string_view indent) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (width.size() <= i) width.resize(i + 1, 0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line(indent);
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
}

void show_peers(const json::value& v) {
  const auto& peers = v.at("peers").as_array();
  if (peers.empty()) {
    std::cout << "no peers known yet (agentp2p connect MULTIADDR, or wait for discovery)\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : peers) {
    std::string tools;
    if (auto* t = p.as_object().if_contains("tools"); t && t->is_array())
      for (const auto& x : t->as_array()) tools += (tools.empty() ? "" : ",") + std::string(x.as_string());
    std::string latency = str(p, "latencyMs");
    rows.push_back({str(p, "peerId"), p.at("connected").as_bool() ? "connected" : "disconnected",
                    str(p, "name").empty() ? "-" : str(p, "name"), latency.empty() ? "-" : latency + " ms",
                    tools.empty() ? "" : "tools: " + tools});
  }
  print_columns(rows, "");
}

void show_tools(const json::value& v) {
  std::cout << "local:\n";
  std::vector<std::vector<std::string>> local;
  for (const auto& t : v.at("local").as_array()) local.push_back({str(t, "name"), str(t, "description")});
  print_columns(local, "  ");
  const auto& remote = v.at("remote").as_array();
  if (remote.empty()) return;
  std::cout << "remote:\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : remote)
    rows.push_back({str(t, "peerName"), str(t, "peerId"), str(t, "name"), str(t, "description")});
  print_columns(rows, "  ");
}

void show_task(const json::value& v) {
  std::cout << "task " << str(v, "id") << ": " << str(v.at("status"), "state") << "\n";
  if (auto* m = v.at("status").as_object().if_contains("message"); m && m->is_object())
    if (auto* parts = m->as_object().if_contains("parts"); parts && parts->is_array())
      for (const auto& p : parts->as_array()) {
        auto text = str(p, "text");
        if (!text.empty()) std::cout << text << "\n";
        else if (auto* d = p.as_object().if_contains("data")) show_json(*d);
      }
}

std::string body_of(const json::object& o) { return json::serialize(o); }

// --- standalone ping (no daemon) ---------------------------------------------

int direct_ping(const std::string& target, int count) {
  auto addr = multiformats::multiaddr::parse(target);
  if (!addr || !addr->has(multiformats::protocol_code::p2p)) {
    std::cerr << "agentp2p ping --direct: need a multiaddr ending in /p2p/<peer id>"
              << (addr ? "" : " (" + addr.error().message + ")") << "\n";
    return exit_usage;
  }
  asio::io_context ctx(1);
  auto h = host::builder{}.build(ctx.get_executor());
  auto p = ping::service::start(h);
  int rc = exit_failed;
  auto run = [](std::shared_ptr<host::host> h, std::shared_ptr<ping::service> p, multiformats::multiaddr addr, int count,
                int& rc) -> awaitable<void> {
    auto conn = co_await h->connect(addr);
    if (!conn) {
      std::cerr << "agentp2p ping: " << conn.error().message << "\n";
    } else {
      auto rtts = co_await p->ping(*conn, static_cast<std::size_t>(count));
      if (!rtts) {
        std::cerr << "agentp2p ping: " << rtts.error().message << "\n";
      } else {
        for (auto r : *rtts)
          std::cout << "pong from " << (*conn)->remote_peer().to_string() << ": " << r.count() / 1000.0 << " ms\n";
        rc = exit_ok;
      }
    }
    co_await h->close();
  };
  asio::co_spawn(ctx, run(h, p, *addr, count, rc), [&](std::exception_ptr) { ctx.stop(); });
  ctx.run_for(std::chrono::seconds(60));
  return rc;
}

// --- config commands -----------------------------------------------------------

int show_config(const run_flags& flags, bool check_only) {
  auto layered = build_config(flags, process_env);
  if (!layered) {
    std::cerr << "agentp2p: " << layered.error().message << "\n";
    return exit_usage;
  }
  for (const auto& w : layered->warnings) std::cerr << "warning: " << w << "\n";
  if (check_only) {
    std::cout << (layered->file.empty() ? "defaults" : layered->file) << ": OK\n";
    return exit_ok;
  }
  std::cout << to_yaml(layered->cfg);
  return exit_ok;
}

}  // namespace

int cli_main(int argc, char** argv) {
  CLI::App app{"agentp2p: peer-to-peer networking for AI agents"};
  app.require_subcommand(1);
  // Options of the main command (--log-level) may also follow the subcommand.
  app.fallthrough();
  std::string log_level;
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (env AGENTP2P_LOG_LEVEL)");

  // run
  run_flags flags;
  std::vector<std::string> listen, bootstrap;
  std::string identity, data_dir, api_addr, name, agent_version = "agentp2p/0.1.0";
  bool no_mdns = false, no_dht = false, log_json = false, enable_perf = false;
  auto* run = app.add_subcommand("run", "Run a node until SIGINT/SIGTERM; prints a JSON ready line on stdout");
  run->add_option("-c,--config", flags.config_file, "YAML config file (env AGENTP2P_CONFIG; praxis agent.yaml works too)");
  run->add_option("--listen", listen, "libp2p listen multiaddr, repeatable (env AGENTP2P_LISTEN, comma-separated)");
  run->add_option("--identity", identity, "Identity key file (default DATA_DIR/identity.key; env AGENTP2P_IDENTITY)");
  run->add_option("--data-dir", data_dir, "Data directory (env AGENTP2P_DATA_DIR)");
  run->add_option("--api", api_addr, "HTTP API address host:port, port 0 = any (env AGENTP2P_API; default 127.0.0.1:7420)");
  run->add_option("--name", name, "Agent name on its cards (env AGENTP2P_NAME)");
  run->add_option("--bootstrap", bootstrap, "Peer to dial at start (multiaddr with /p2p/), repeatable");
  run->add_flag("--no-mdns", no_mdns, "Do not use mDNS discovery");
  run->add_flag("--no-dht", no_dht, "Do not run the DHT");
  std::string dht_on, dht_mode, dht_prefix;
  run->add_option("--dht", dht_on, "Run the Kademlia DHT and capability search: on|off (dht.enabled)")
      ->check(CLI::IsMember({"on", "off"}));
  run->add_option("--dht-mode", dht_mode, "auto (server when listening beyond loopback) | client | server (dht.mode)");
  run->add_option("--dht-protocol-prefix", dht_prefix, "DHT protocol prefix, /ipfs → /ipfs/kad/1.0.0 (dht.protocol_prefix)");
  run->add_flag("--log-json", log_json, "Logs as JSON lines");
  run->add_flag("--enable-perf", enable_perf, "Serve the libp2p perf protocol");
  run->add_option("--agent-version", agent_version, "Agent version announced by identify");

  // client commands
  client_options copts;
  auto* id = app.add_subcommand("id", "This node: peer id, addresses, API and MCP URLs");
  add_client_options(id, copts);
  auto* peers = app.add_subcommand("peers", "Agents this node knows");
  add_client_options(peers, copts);
  std::string peer_arg;
  auto* card = app.add_subcommand("card", "The card of a peer (or of this node)");
  card->add_option("peer", peer_arg, "Peer id (default: this node)");
  add_client_options(card, copts);
  auto* tools = app.add_subcommand("tools", "Tools of this node and of known peers");
  add_client_options(tools, copts);
  std::string tool_arg, args_arg = "{}";
  auto* call = app.add_subcommand("call", "Call a tool: call PEER TOOL [JSON] (PEER 'local' or '-' for this node)");
  call->add_option("peer", peer_arg, "Peer id, or local")->required();
  call->add_option("tool", tool_arg, "Tool name")->required();
  call->add_option("arguments", args_arg, "Arguments as a JSON object");
  add_client_options(call, copts);
  int ping_count = 3;
  bool ping_direct = false;
  auto* ping = app.add_subcommand("ping", "Measure round trips to a peer (via the node; --direct: from this process)");
  ping->add_option("peer", peer_arg, "Peer id (or, with --direct, a multiaddr ending in /p2p/<id>)")->required();
  ping->add_option("-n,--count", ping_count, "Number of pings")->check(CLI::Range(1, 100));
  ping->add_flag("--direct", ping_direct, "Dial the multiaddr from a temporary node of this process");
  add_client_options(ping, copts);
  std::string addr_arg;
  auto* connect = app.add_subcommand("connect", "Dial a peer: connect MULTIADDR");
  connect->add_option("multiaddr", addr_arg, "Address ending in /p2p/<peer id>")->required();
  add_client_options(connect, copts);
  auto* find = app.add_subcommand("find-agents", "Agents that offer a tool");
  find->add_option("tool", tool_arg, "Tool name")->required();
  add_client_options(find, copts);

  auto* a2a = app.add_subcommand("a2a", "A2A tasks: send, get, cancel");
  a2a->require_subcommand(1);
  std::string a2a_peer, a2a_text, a2a_data, a2a_task, a2a_context;
  auto* a2a_send = a2a->add_subcommand("send", "Send a message (starts a task): a2a send [--peer ID] TEXT");
  a2a_send->add_option("text", a2a_text, "Message text");
  a2a_send->add_option("--peer", a2a_peer, "Peer that runs the task (default: this node)");
  a2a_send->add_option("--data", a2a_data, "A JSON data part, e.g. '{\"tool\":\"node_info\",\"arguments\":{}}'");
  a2a_send->add_option("--task", a2a_task, "Continue this task (input-required)");
  a2a_send->add_option("--context", a2a_context, "Context id");
  add_client_options(a2a_send, copts);
  auto* a2a_get = a2a->add_subcommand("get", "A task's state: a2a get TASK [--peer ID]");
  a2a_get->add_option("task", a2a_task, "Task id")->required();
  a2a_get->add_option("--peer", a2a_peer, "Peer that runs the task");
  add_client_options(a2a_get, copts);
  auto* a2a_cancel = a2a->add_subcommand("cancel", "Cancel a task: a2a cancel TASK [--peer ID]");
  a2a_cancel->add_option("task", a2a_task, "Task id")->required();
  a2a_cancel->add_option("--peer", a2a_peer, "Peer that runs the task");
  add_client_options(a2a_cancel, copts);

  auto* mcp = app.add_subcommand("mcp", "Serve MCP over stdin/stdout from a node of its own (for clients that "
                                        "spawn their servers); the node's config as for run, without the HTTP API");
  run_flags mcp_flags;
  std::string mcp_data_dir, mcp_name;
  std::vector<std::string> mcp_listen;
  mcp->add_option("-c,--config", mcp_flags.config_file, "YAML config file (env AGENTP2P_CONFIG)");
  mcp->add_option("--data-dir", mcp_data_dir, "Data directory (env AGENTP2P_DATA_DIR)");
  mcp->add_option("--name", mcp_name, "Agent name (env AGENTP2P_NAME)");
  mcp->add_option("--listen", mcp_listen, "libp2p listen multiaddr, repeatable");

  std::string keygen_out, keygen_type = "ed25519";
  auto* keygen = app.add_subcommand("keygen", "Create a new identity key file; prints its peer id");
  keygen->add_option("--out", keygen_out, "Where to write the key (must not exist)")->required();
  keygen->add_option("--type", keygen_type, "ed25519 (default), secp256k1, ecdsa or rsa")
      ->check(CLI::IsMember({"ed25519", "secp256k1", "ecdsa", "rsa"}));
  std::string key_file;
  auto* key_id = app.add_subcommand("key-id", "Print the peer id of an identity key file");
  key_id->add_option("file", key_file, "Identity key file")->required();

  auto* config_cmd = app.add_subcommand("config", "Configuration: docs, example, defaults, show, check");
  config_cmd->require_subcommand(1);
  auto* config_docs = config_cmd->add_subcommand("docs", "Print the configuration reference (Markdown)");
  auto* config_example = config_cmd->add_subcommand("example", "Print an example config file with every setting");
  auto* config_defaults = config_cmd->add_subcommand("defaults", "Print the embedded default config (YAML)");
  run_flags show_flags;
  auto* config_show = config_cmd->add_subcommand("show", "Print the effective config (defaults < file < environment)");
  config_show->add_option("-c,--config", show_flags.config_file, "YAML config file");
  std::string check_file;
  auto* config_check = config_cmd->add_subcommand("check", "Validate a config file");
  config_check->add_option("file", check_file, "YAML config file")->required();

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }

  // The log level of client commands; `run` takes it through its config.
  if (!log_level.empty() || !run->parsed()) {
    log::level lvl;
    auto text = log_level.empty() ? process_env("AGENTP2P_LOG_LEVEL").value_or("warn") : log_level;
    if (!log::parse_level(text, lvl)) {
      std::cerr << "agentp2p: unknown log level '" << text << "' (trace, debug, info, warn, error, off)\n";
      return exit_usage;
    }
    log::set_level(lvl);
  }

  if (*version) {
    std::cout << version_text << "\n";
    return exit_ok;
  }
  if (*run) {
    auto over = [&](std::string key, std::vector<std::string> values, std::string flag) {
      flags.overrides.push_back({std::move(key), std::move(values), std::move(flag)});
    };
    if (!listen.empty()) over("listen", listen, "--listen");
    if (!identity.empty()) over("identity.file", {identity}, "--identity");
    if (!data_dir.empty()) over("data_dir", {data_dir}, "--data-dir");
    if (!api_addr.empty()) over("http.address", {api_addr}, "--api");
    if (!name.empty()) over("agent.name", {name}, "--name");
    if (!bootstrap.empty()) over("bootstrap", bootstrap, "--bootstrap");
    if (no_mdns) over("mdns.enabled", {"false"}, "--no-mdns");
    if (!dht_on.empty()) over("dht.enabled", {dht_on == "on" ? "true" : "false"}, "--dht");
    if (no_dht) over("dht.enabled", {"false"}, "--no-dht");
    if (!dht_mode.empty()) over("dht.mode", {dht_mode}, "--dht-mode");
    if (!dht_prefix.empty()) over("dht.protocol_prefix", {dht_prefix}, "--dht-protocol-prefix");
    if (log_json) over("logging.json", {"true"}, "--log-json");
    if (enable_perf) over("perf.enabled", {"true"}, "--enable-perf");
    if (!log_level.empty()) over("logging.level", {log_level}, "--log-level");
    auto layered = build_config(flags, process_env);
    if (!layered) {
      std::cerr << "agentp2p: " << layered.error().message << "\n";
      return exit_usage;
    }
    log::level lvl = log::level::info;
    (void)log::parse_level(layered->cfg.logging.level, lvl);
    log::set_level(lvl);
    log::set_json(layered->cfg.logging.json);
    return run_node(*layered, agent_version);
  }

  if (*id) return request(copts, "GET", "/api/v1/node", "", show_node);
  if (*peers) return request(copts, "GET", "/api/v1/peers", "", show_peers);
  if (*card) {
    if (peer_arg.empty())
      return request(copts, "GET", "/api/v1/node", "", [](const json::value& v) { show_json(v.at("card")); });
    return request(copts, "GET", "/api/v1/peers/" + peer_arg, "", [](const json::value& v) {
      if (auto* c = v.as_object().if_contains("card")) show_json(*c);
      else std::cout << "no card received from this peer (yet)\n";
      if (auto* c = v.as_object().if_contains("a2aCard")) {
        std::cout << "A2A card:\n";
        show_json(*c);
      }
    });
  }
  if (*tools) return request(copts, "GET", "/api/v1/tools", "", show_tools);
  if (*call) {
    boost::system::error_code ec;
    auto args = json::parse(args_arg, ec);
    if (ec || !args.is_object()) {
      std::cerr << "agentp2p call: arguments must be a JSON object, e.g. '{\"path\": \"/tmp\"}'\n";
      return exit_usage;
    }
    json::object body;
    if (peer_arg != "local" && peer_arg != "-") body["peer"] = peer_arg;
    body["tool"] = tool_arg;
    body["arguments"] = std::move(args);
    return request(copts, "POST", "/api/v1/tools/call", body_of(body), [](const json::value& v) { show_json(v.at("result")); });
  }
  if (*ping) {
    if (ping_direct) return direct_ping(peer_arg, ping_count);
    json::object body;
    body["count"] = ping_count;
    return request(copts, "POST", "/api/v1/peers/" + peer_arg + "/ping", body_of(body), [](const json::value& v) {
      for (const auto& r : v.at("rttMs").as_array())
        std::cout << "pong from " << str(v, "peerId") << ": " << json::serialize(r) << " ms\n";
    });
  }
  if (*connect) {
    json::object body;
    body["addr"] = addr_arg;
    return request(copts, "POST", "/api/v1/peers/connect", body_of(body), [](const json::value& v) {
      std::cout << "connected to " << str(v, "peerId") << " at " << str(v, "remoteAddr") << "\n";
    });
  }
  if (*find) {
    return request(copts, "GET", "/api/v1/find-agents?tool=" + tool_arg, "", [](const json::value& v) {
      const auto& agents = v.at("agents").as_array();
      if (agents.empty()) std::cout << "no agent offers " << str(v, "tool") << " (that this node knows of)\n";
      for (const auto& a : agents) std::cout << str(a, "peerId") << "  " << str(a, "name") << "\n";
    });
  }
  if (*a2a_send) {
    json::object body;
    if (!a2a_peer.empty()) body["peer"] = a2a_peer;
    if (!a2a_text.empty()) body["text"] = a2a_text;
    if (!a2a_data.empty()) {
      boost::system::error_code ec;
      auto d = json::parse(a2a_data, ec);
      if (ec) {
        std::cerr << "agentp2p a2a send: --data is not JSON: " << ec.message() << "\n";
        return exit_usage;
      }
      body["data"] = std::move(d);
    }
    if (a2a_text.empty() && a2a_data.empty()) {
      std::cerr << "agentp2p a2a send: give a TEXT or --data JSON\n";
      return exit_usage;
    }
    if (!a2a_task.empty()) body["taskId"] = a2a_task;
    if (!a2a_context.empty()) body["contextId"] = a2a_context;
    return request(copts, "POST", "/api/v1/a2a/send", body_of(body), show_task);
  }
  if (*a2a_get)
    return request(copts, "GET", "/api/v1/a2a/tasks/" + a2a_task + (a2a_peer.empty() ? "" : "?peer=" + a2a_peer), "",
                   show_task);
  if (*a2a_cancel) {
    json::object body;
    if (!a2a_peer.empty()) body["peer"] = a2a_peer;
    return request(copts, "POST", "/api/v1/a2a/tasks/" + a2a_task + "/cancel", body_of(body), show_task);
  }
  if (*mcp) {
    if (!mcp_data_dir.empty()) mcp_flags.overrides.push_back({"data_dir", {mcp_data_dir}, "--data-dir"});
    if (!mcp_name.empty()) mcp_flags.overrides.push_back({"agent.name", {mcp_name}, "--name"});
    if (!mcp_listen.empty()) mcp_flags.overrides.push_back({"listen", mcp_listen, "--listen"});
    if (!log_level.empty()) mcp_flags.overrides.push_back({"logging.level", {log_level}, "--log-level"});
    auto layered = build_config(mcp_flags, process_env);
    if (!layered) {
      std::cerr << "agentp2p mcp: " << layered.error().message << "\n";
      return exit_usage;
    }
    log::level lvl = log::level::warn;
    (void)log::parse_level(layered->cfg.logging.level, lvl);
    // Logs go to stderr; keep them quiet unless asked (clients show stderr).
    log::set_level(log_level.empty() && !process_env("AGENTP2P_LOG_LEVEL") ? log::level::warn : lvl);
    log::set_json(layered->cfg.logging.json);
    return run_mcp_stdio(*layered, agent_version);
  }
  if (*key_id) {
    auto key = crypto::load_identity(key_file);
    if (!key) {
      std::cerr << "agentp2p: " << key.error().message << "\n";
      return exit_failed;
    }
    std::cout << crypto::peer_id::from_public_key(key->public_key()).to_string() << "\n";
    return exit_ok;
  }
  if (*keygen) {
    if (std::filesystem::exists(keygen_out)) {
      std::cerr << "agentp2p keygen: " << keygen_out << " already exists; not overwriting\n";
      return exit_usage;
    }
    result<crypto::private_key> key = keygen_type == "secp256k1" ? crypto::private_key::generate_secp256k1()
                                      : keygen_type == "ecdsa"   ? crypto::private_key::generate_ecdsa_p256()
                                      : keygen_type == "rsa"     ? crypto::private_key::generate_rsa(2048)
                                                                 : crypto::private_key::generate_ed25519();
    if (!key) {
      std::cerr << "agentp2p keygen: " << key.error().message << "\n";
      return exit_failed;
    }
    if (auto saved = crypto::save_identity(keygen_out, *key); !saved) {
      std::cerr << "agentp2p keygen: " << saved.error().message << "\n";
      return exit_failed;
    }
    std::cout << crypto::peer_id::from_public_key(key->public_key()).to_string() << "\n";
    return exit_ok;
  }
  if (*config_docs) {
    std::cout << config_reference_markdown();
    return exit_ok;
  }
  if (*config_example) {
    std::cout << example_config_yaml();
    return exit_ok;
  }
  if (*config_defaults) {
    std::cout << default_config_yaml();
    return exit_ok;
  }
  if (*config_show) return show_config(show_flags, false);
  if (*config_check) {
    run_flags f;
    f.config_file = check_file;
    return show_config(f, true);
  }
  return exit_usage;
}

}  // namespace agentp2p::daemon
