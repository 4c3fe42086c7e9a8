// Defaults, environment and flag layers, cross-setting checks and the
// generated docs — everything about the configuration except YAML parsing
// (config_yaml.cpp, the one place yaml-cpp is used).
#include <cstdlib>
#include <set>
#include <sstream>

#include "agentp2p/daemon/config.hpp"
#include "agentp2p/daemon/config_schema.hpp"

namespace agentp2p::daemon {

namespace {

std::vector<std::string> to_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

// A YAML scalar as written in generated files: quoted unless plainly safe.
std::string yaml_scalar(std::string_view v, bool is_string) {
  bool plain = !v.empty() && v.front() != ' ' && v.back() != ' ';
  for (char c : v)
    if (std::string_view(":#{}[],&*!|>'\"%@`\\").find(c) != std::string_view::npos || c < ' ') plain = false;
  if (plain && is_string) {
    static constexpr std::string_view special[] = {"true", "false", "yes", "no", "on", "off", "null", "~"};
    for (auto s : special)
      if (v == s) plain = false;
    if (!v.empty() && (std::isdigit(static_cast<unsigned char>(v.front())) || v.front() == '-' || v.front() == '.'))
      plain = false;
  }
  if (plain) return std::string(v);
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool is_string_setting(const schema::setting& s) {
  return std::holds_alternative<schema::string_ref>(s.field) || std::holds_alternative<schema::list_ref>(s.field);
}

// Renders the table as YAML; `comments` adds each setting's description.
std::string render_yaml(bool comments) {
  std::ostringstream out;
  std::string section;
  for (const auto& s : schema::settings()) {
    auto dot = s.key.find('.');
    std::string sect = dot == std::string_view::npos ? "" : std::string(s.key.substr(0, dot));
    std::string name(dot == std::string_view::npos ? s.key : s.key.substr(dot + 1));
    if (sect != section) {
      if (comments) out << "\n";
      if (!sect.empty()) out << sect << ":\n";
      section = sect;
    } else if (comments && sect.empty()) {
      out << "\n";
    }
    const std::string indent = sect.empty() ? "" : "  ";
    if (comments) out << indent << "# " << s.description << "\n";
    out << indent << name << ":";
    if (std::holds_alternative<schema::servers_ref>(s.field)) {
      out << " []\n";
      if (comments)
        out << indent << "#  - name: files                       # its tools appear as files.<tool>\n"
            << indent << "#    command: npx\n"
            << indent << "#    args: [-y, '@modelcontextprotocol/server-filesystem', /srv/shared]\n"
            << indent << "#    env: {NODE_ENV: production}\n"
            << indent << "#    expose: all                        # none (default) | all | [peer ids]\n"
            << indent << "#  - name: search\n"
            << indent << "#    url: https://mcp.example.com/mcp\n"
            << indent << "#    headers: {Authorization: 'Bearer ${SEARCH_TOKEN}'}\n"
            << indent << "#    expose: [12D3KooWExamplePeer...]\n";
    } else if (std::holds_alternative<schema::list_ref>(s.field)) {
      if (s.defaults.empty()) {
        out << " []\n";
      } else {
        out << "\n";
        for (auto d : s.defaults) out << indent << "  - " << yaml_scalar(d, true) << "\n";
      }
    } else {
      out << " " << yaml_scalar(s.defaults.empty() ? "" : s.defaults.front(), is_string_setting(s)) << "\n";
    }
  }
  return out.str();
}

std::string markdown_cell(std::string_view v) {
  std::string out;
  for (char c : v) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

}  // namespace

config default_config() {
  config cfg;
  for (const auto& s : schema::settings()) {
    auto problem = schema::assign(cfg, s, to_strings(s.defaults));
    if (!problem.empty()) throw std::logic_error("config default of " + std::string(s.key) + ": " + problem);
  }
  return cfg;
}

std::string default_config_yaml() { return render_yaml(false); }

std::optional<std::string> process_env(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

result<void> apply_env(config& cfg, const env_lookup& env) {
  for (const auto& s : schema::settings()) {
    if (s.env.empty()) continue;
    auto v = env(s.env);
    if (!v || v->empty()) continue;
    auto problem = schema::assign(cfg, s, {*v});
    if (!problem.empty())
      return make_error(errc::invalid_argument,
                        "environment variable " + std::string(s.env) + " (" + std::string(s.key) + "): " + problem);
  }
  return {};
}

result<void> apply_setting(config& cfg, std::string_view key, const std::vector<std::string>& values,
                           std::string_view source) {
  const auto* s = schema::find(key);
  if (!s) return make_error(errc::invalid_argument, std::string(source) + ": unknown setting " + std::string(key));
  auto problem = schema::assign(cfg, *s, values);
  if (!problem.empty()) return make_error(errc::invalid_argument, std::string(source) + ": " + problem);
  return {};
}

result<void> validate(const config& cfg) {
  auto fail = [](std::string m) { return make_error(errc::invalid_argument, std::move(m)); };
  const auto& c = cfg.connections;
  if (c.low > c.high)
    return fail("connections.low (" + std::to_string(c.low) + ") must not exceed connections.high (" +
                std::to_string(c.high) + ")");
  if (c.high > c.max)
    return fail("connections.high (" + std::to_string(c.high) + ") must not exceed connections.max (" +
                std::to_string(c.max) + ")");
  if (cfg.mdns.interfaces.size() > 1)
    for (const auto& i : cfg.mdns.interfaces)
      if (i == "all") return fail("mdns.interfaces: 'all' stands alone (it means every interface)");
  std::set<std::string> names;
  for (const auto& m : cfg.mcp_servers) {
    if (auto problem = schema::check_server(m); !problem.empty()) return fail("mcp_servers: " + problem);
    if (!names.insert(m.name).second) return fail("mcp_servers: two servers are named '" + m.name + "'");
  }
  if (cfg.listen.empty()) return fail("listen: at least one address is needed");
  const auto& l = cfg.limits;
  if (l.stream_window_max < l.stream_window)
    return fail("limits.stream_window_max (" + std::to_string(l.stream_window_max) +
                ") must not be below limits.stream_window (" + std::to_string(l.stream_window) + ")");
  if (l.buffer_per_connection < l.stream_window)
    return fail("limits.buffer_per_connection must hold at least one limits.stream_window");
  if (l.buffer_per_node < l.stream_window) return fail("limits.buffer_per_node must hold at least one limits.stream_window");
  const auto& e = cfg.tools.expose;
  if (e.empty()) return fail("tools.expose: write all, none or a list of peer ids");
  if (e.size() > 1)
    for (const auto& v : e)
      if (v == "all" || v == "none") return fail("tools.expose: '" + v + "' stands alone (it is not a peer id)");
  for (const auto& t : cfg.tools.public_tools)
    for (const auto& p : cfg.tools.private_tools)
      if (t == p) return fail("tools: '" + t + "' is both in tools.public and tools.private");
  if (cfg.http.mcp_session_idle_timeout <= std::chrono::milliseconds::zero())
    return fail("http.mcp_session_idle_timeout must be longer than 0");
  return {};
}

std::string expand_env(std::string_view text, const env_lookup& env, std::vector<std::string>* unset) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        auto body = text.substr(i + 2, close - i - 2);
        auto sep = body.find(":-");
        auto name = body.substr(0, sep);
        bool valid = !name.empty();
        for (char c : name)
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') valid = false;
        if (valid) {
          auto value = env(name);
          if (value && !value->empty()) out += *value;
          else if (sep != std::string_view::npos) out += body.substr(sep + 2);
          else if (unset) unset->emplace_back(name);
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::string config_reference_markdown() {
  std::ostringstream out;
  out << "# agentp2p configuration reference\n\n"
      << "<!-- Generated by `agentp2p config docs` from agentp2p/daemon/config_schema.cpp; do not edit by hand. -->\n\n"
      << "`agentp2p run` builds its configuration in layers, each overriding the one before:\n\n"
      << "1. the defaults below (compiled into the binary; `agentp2p config defaults` prints them as YAML),\n"
      << "2. the YAML file given by `--config FILE` or `AGENTP2P_CONFIG` (no file is read otherwise),\n"
      << "3. the `AGENTP2P_*` environment variables in the table (lists are comma-separated),\n"
      << "4. command-line flags (`--listen`, `--name`, `--api`, ... see `agentp2p run --help`).\n\n"
      << "`agentp2p config check FILE` validates a file; `agentp2p config show [--config FILE]` prints the\n"
      << "effective configuration. An invalid value stops the node with an error naming the file, line and\n"
      << "key, e.g. `agentp2p.yaml:7: connections.low: expected an integer, got 'many'`. Unknown keys are\n"
      << "errors too (they are usually typos), except in a praxis-go-sdk file (below).\n\n"
      << "Values may use `${VAR}` or `${VAR:-default}`: they are replaced by the environment variable\n"
      << "(an unset variable without a default becomes empty, with a warning). Durations are written\n"
      << "`500ms`, `30s`, `5m` or `1h`.\n\n"
      << "| Key | Type | Default | Check | Environment | Description |\n"
      << "|---|---|---|---|---|---|\n";
  for (const auto& s : schema::settings()) {
    std::string def;
    for (auto d : s.defaults) def += (def.empty() ? "" : ", ") + std::string(d);
    if (std::holds_alternative<schema::list_ref>(s.field) || std::holds_alternative<schema::servers_ref>(s.field))
      def = "[" + def + "]";
    out << "| `" << s.key << "` | " << schema::type_name(s) << " | " << (def.empty() ? "" : "`" + markdown_cell(def) + "`")
        << " | " << markdown_cell(s.check) << " | " << (s.env.empty() ? "" : "`" + std::string(s.env) + "`") << " | "
        << markdown_cell(s.description) << " |\n";
  }
  out << "\n## MCP servers\n\n"
      << "Each entry of `mcp_servers` is an MCP server whose tools this node offers alongside its own:\n\n"
      << "| Key | Type | Description |\n|---|---|---|\n"
      << "| `name` | string | Letters, digits, `_`, `-`; unique. Its tools are named `<name>.<tool>`. |\n"
      << "| `command` | string | A stdio server: the program to start (searched in `PATH`). |\n"
      << "| `args` | list of strings | Its arguments. |\n"
      << "| `env` | map | Extra environment variables for it. |\n"
      << "| `cwd` | string | Its working directory (default: the daemon's). |\n"
      << "| `url` | string | Or a Streamable HTTP server: its endpoint (`http://` or `https://`). |\n"
      << "| `headers` | map | HTTP headers sent with every request (e.g. `Authorization`). |\n"
      << "| `expose` | `none`, `all` or a list of peer ids | Which remote peers may call these tools. `none` "
         "(the default): only local callers (HTTP API, `agentp2p mcp`, in-process). |\n\n"
      << "```yaml\nmcp_servers:\n  - name: files\n    command: npx\n"
      << "    args: [-y, '@modelcontextprotocol/server-filesystem', /srv/shared]\n    expose: all\n"
      << "  - name: search\n    url: https://mcp.example.com/mcp\n"
      << "    headers: {Authorization: 'Bearer ${SEARCH_TOKEN}'}\n    expose: [12D3KooW...]\n```\n\n"
      << "A map keyed by server name (`mcp_servers: {files: {command: ...}}`, the shape MCP clients use) is\n"
      << "accepted too.\n\n"
      << "## Limits and access control\n\n"
      << "The `limits.*` settings (with `connections.max` and `connections.max_per_peer`) bound every resource\n"
      << "a peer or client can make the node spend. When one is hit, the connection, stream, message or call is\n"
      << "refused with an error naming the limit; a warning names the limit and the peer or address (at most\n"
      << "once a second per limit, with a count of the lines held back), and `GET /metrics` counts the refusal\n"
      << "as `agentp2p_limits_hit_total{limit=\"<module>.<counter>\"}`, e.g. `tools.peer_rate_limited`,\n"
      << "`tools.peer_concurrency_refused`, `tools.busy_refused`, `a2a.peer_task_limit_refused`,\n"
      << "`host.inbound_per_ip_refused`, `host.connections_per_peer_refused`, `host.protocol_stream_limit_refused`,\n"
      << "`yamux.streams_per_connection`, `yamux.receive_buffer`, `wire.json_line_too_long`,\n"
      << "`http.body_too_large`. Other refusals have counters of their own, e.g.\n"
      << "`agentp2p_host_gater_refused_peer_total` and `agentp2p_tools_policy_refused_total`.\n\n"
      << "Access control: `security.psk_file` makes the node a member of a private network (libp2p pnet;\n"
      << "nodes without the same key cannot connect); `security.allow_*` / `deny_*` list peer ids and IP\n"
      << "networks (addresses are checked before the handshake, peer ids right after it); `tools.*` decide\n"
      << "which peers may call which tools (the card a peer receives lists only those). Local callers (the\n"
      << "HTTP API, MCP over HTTP or stdio) may call every tool.\n\n"
      << "## praxis-go-sdk agent.yaml\n\n"
      << "A praxis-go-sdk configuration (recognised by its `p2p:` section or praxis-only `agent` keys) loads\n"
      << "as is. These keys apply; every other key is reported as a warning and ignored:\n\n"
      << "| praxis key | agentp2p setting |\n|---|---|\n"
      << "| `agent.name`, `agent.version`, `agent.description` | the same |\n"
      << "| `p2p.port` | `listen: [/ip4/0.0.0.0/tcp/PORT, /ip6/::/tcp/PORT]` |\n"
      << "| `p2p.enable_mdns` | `mdns.enabled` |\n"
      << "| `p2p.enable_dht` | `dht.enabled` |\n"
      << "| `p2p.bootstrap_nodes` | `bootstrap` |\n"
      << "| `agent.external_mcp_endpoints`, `agent.external_mcp_servers` (URLs or `{name, url, headers}`) | "
         "`mcp_servers` with `expose: all` (praxis offers them to every peer) |\n"
      << "| `mcp.servers` (`{name, transport, command, args, env, url, workdir, enabled}`) | `mcp_servers` with "
         "`expose: all` |\n"
      << "| `http.enabled`, `http.host`, `http.port` | `http.enabled`, `http.address` |\n"
      << "| `logging.level`, `logging.format: json` | `logging.level`, `logging.json` |\n";
  return out.str();
}

std::string example_config_yaml() {
  return "# agentp2p example configuration: every setting with its default value.\n"
         "# Generated by `agentp2p config example`; reference: docs/config.md.\n"
         "# Run with: agentp2p run --config agentp2p.yaml\n" +
         render_yaml(true);
}

}  // namespace agentp2p::daemon
