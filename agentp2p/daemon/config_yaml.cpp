// YAML configuration files: ours, and praxis-go-sdk's agent.yaml. The only
// translation unit that includes yaml-cpp.
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "agentp2p/daemon/config.hpp"
#include "agentp2p/daemon/config_schema.hpp"

namespace agentp2p::daemon {

namespace {

// Top-level or agent keys only a praxis-go-sdk file has.
bool looks_like_praxis(const YAML::Node& root) {
  for (auto key : {"p2p", "llm", "mcp", "prometheus"})
    if (root[key]) return true;
  if (auto agent = root["agent"]; agent && agent.IsMap())
    for (auto key : {"url", "shared_dir", "external_mcp_endpoints", "external_mcp_servers", "tools", "identity",
                     "security", "did_cache_ttl"})
      if (agent[key]) return true;
  if (auto http = root["http"]; http && http.IsMap())
    for (auto key : {"port", "host"})
      if (http[key]) return true;
  return false;
}

class reader {
 public:
  reader(config& cfg, std::string source, env_lookup env)
      : cfg_(cfg), source_(std::move(source)), env_(std::move(env)) {}

  result<std::vector<std::string>> read(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      return make_error(errc::invalid_argument, source_ + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                    std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
    }
    if (!root || root.IsNull()) return std::move(warnings_);
    if (!root.IsMap()) return fail(root, "", "the file must be a mapping of settings (key: value)");
    praxis_ = looks_like_praxis(root);
    try {
      AP_TRYV(walk(root, ""));
      AP_TRYV(finish_praxis_http());
    } catch (const YAML::Exception& e) {
      return make_error(errc::invalid_argument, source_ + ": " + e.what());
    }
    return std::move(warnings_);
  }

 private:
  error fail(const YAML::Node& at, std::string_view key, std::string message) {
    std::string where = source_;
    if (at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    return error(errc::invalid_argument, where + ": " + (key.empty() ? "" : std::string(key) + ": ") + message);
  }
  void warn(const YAML::Node& at, std::string message) {
    std::string where = source_;
    if (at.Mark().line >= 0) where += ":" + std::to_string(at.Mark().line + 1);
    warnings_.push_back(where + ": " + message);
  }

  std::string scalar(const YAML::Node& n) {
    std::vector<std::string> unset;
    auto value = expand_env(n.Scalar(), env_, &unset);
    for (const auto& name : unset) warn(n, "${" + name + "} is not set; it expands to an empty value");
    return value;
  }

  // The values of a node as text: a scalar is one value, a sequence of scalars many.
  result<std::vector<std::string>> texts(const YAML::Node& n, std::string_view key, bool list) {
    std::vector<std::string> out;
    if (n.IsNull()) {
      if (!list) out.emplace_back();
      return out;
    }
    if (n.IsScalar()) {
      out.push_back(scalar(n));
      return out;
    }
    if (n.IsSequence() && list) {
      for (const auto& item : n) {
        if (!item.IsScalar()) return fail(item, key, "list items must be plain values");
        out.push_back(scalar(item));
      }
      return out;
    }
    return fail(n, key, list ? "expected a list of values, e.g. [a, b]" : "expected a single value");
  }

  result<void> set(const YAML::Node& n, const schema::setting& s) {
    if (std::holds_alternative<schema::servers_ref>(s.field)) {
      auto& servers = std::get<schema::servers_ref>(s.field)(cfg_);
      servers.clear();
      return read_servers(n, s.key, servers, false);
    }
    bool list = std::holds_alternative<schema::list_ref>(s.field);
    AP_TRY(auto values, texts(n, s.key, list));
    auto problem = schema::assign(cfg_, s, values);
    if (!problem.empty()) return fail(n, s.key, problem);
    return {};
  }

  static bool has_children(std::string_view prefix) {
    for (const auto& s : schema::settings())
      if (s.key.starts_with(prefix) && s.key.size() > prefix.size() && s.key[prefix.size()] == '.') return true;
    return false;
  }

  result<void> walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& kv : map) {
      const auto key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      const YAML::Node& value = kv.second;
      if (praxis_) {
        AP_TRY(bool handled, praxis_key(key, value));
        if (handled) continue;
      }
      if (const auto* s = schema::find(key)) {
        AP_TRYV(set(value, *s));
        continue;
      }
      if (has_children(key) || (praxis_ && praxis_section(key))) {
        if (value.IsMap()) {
          AP_TRYV(walk(value, key));
          continue;
        }
        if (value.IsNull()) continue;
        if (!praxis_) return fail(value, key, "expected a section (key: value lines indented below it)");
      }
      if (praxis_) {
        warn(kv.first, key + " is a praxis-go-sdk setting agentp2p does not use; ignored");
        continue;
      }
      return fail(kv.first, key, "unknown setting" + suggestions(prefix) + " (reference: docs/config.md)");
    }
    return {};
  }

  // A praxis section holding keys that apply (walked key by key; other
  // sections are reported as a whole).
  static bool praxis_section(std::string_view key) {
    static constexpr std::string_view mapped[] = {"agent.external_mcp_endpoints", "agent.external_mcp_servers",
                                                  "mcp.servers", "p2p.port", "p2p.enable_mdns", "p2p.enable_dht",
                                                  "p2p.bootstrap_nodes", "http.host", "http.port", "logging.format"};
    for (auto m : mapped)
      if (m.starts_with(key) && m.size() > key.size() && m[key.size()] == '.') return true;
    return false;
  }

  static std::string suggestions(const std::string& prefix) {
    std::string known;
    for (const auto& s : schema::settings()) {
      if (!prefix.empty() && !s.key.starts_with(prefix + ".")) continue;
      auto rest = prefix.empty() ? s.key : s.key.substr(prefix.size() + 1);
      auto name = std::string(rest.substr(0, rest.find('.')));
      if (known.find(name + ",") == std::string::npos && !known.ends_with(name)) known += (known.empty() ? "" : ", ") + name;
    }
    return known.empty() ? "" : "; known here: " + known;
  }

  // --- MCP servers -------------------------------------------------------

  result<std::map<std::string, std::string>> string_map(const YAML::Node& n, const std::string& key) {
    std::map<std::string, std::string> out;
    if (n.IsNull()) return out;
    if (!n.IsMap()) return fail(n, key, "expected a map (NAME: value)");
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) return fail(kv.second, key, "values must be plain strings");
      out[kv.first.Scalar()] = scalar(kv.second);
    }
    return out;
  }

  // One server. `praxis` accepts praxis-go-sdk's keys (transport, workdir,
  // enabled) and exposes the server to every peer, as praxis does.
  result<std::optional<mcp_server_config>> read_server(const YAML::Node& n, const std::string& key,
                                                       std::string name, bool praxis) {
    mcp_server_config m;
    m.name = std::move(name);
    if (praxis) m.expose = "all";
    if (n.IsScalar() && praxis) {  // praxis external_mcp_endpoints: a bare URL
      m.url = scalar(n);
      if (m.name.empty()) m.name = name_from_url(m.url);
      return std::optional(std::move(m));
    }
    if (!n.IsMap()) return fail(n, key, "expected a server (a map with name and command or url)");
    bool enabled = true;
    for (const auto& kv : n) {
      const auto field = kv.first.Scalar();
      const auto& v = kv.second;
      const auto where = key + "." + field;
      if (field == "name") {
        m.name = scalar(v);
      } else if (field == "command") {
        // `command: [npx, -y, pkg]` is accepted as command + args.
        AP_TRY(auto parts, texts(v, where, true));
        if (parts.empty()) return fail(v, where, "must not be empty");
        m.command = parts.front();
        m.args.insert(m.args.begin(), parts.begin() + 1, parts.end());
      } else if (field == "args") {
        AP_TRY(auto args, texts(v, where, true));
        m.args.insert(m.args.end(), args.begin(), args.end());
      } else if (field == "env") {
        AP_TRY(m.env, string_map(v, where));
      } else if (field == "cwd" || (praxis && field == "workdir")) {
        m.cwd = scalar(v);
      } else if (field == "url") {
        m.url = scalar(v);
      } else if (field == "headers") {
        AP_TRY(m.headers, string_map(v, where));
      } else if (field == "expose") {
        AP_TRY(auto items, texts(v, where, true));
        if (v.IsScalar() && (items.front() == "none" || items.front() == "all")) {
          m.expose = items.front();
        } else {
          m.expose = "peers";
          m.expose_peers = std::move(items);
        }
      } else if (field == "enabled") {
        auto problem = schema::parse_bool(scalar(v), enabled);
        if (!problem.empty()) return fail(v, where, problem);
      } else if (praxis && field == "transport") {
        auto t = scalar(v);
        if (t != "stdio" && t != "sse" && t != "http" && t != "streamable-http" && !t.empty())
          return fail(v, where, "expected stdio, sse or http, got '" + t + "'");
        if (t == "sse") warn(v, where + ": the legacy SSE transport is reached over Streamable HTTP at the same url");
      } else if (praxis) {
        warn(kv.first, where + " is a praxis-go-sdk setting agentp2p does not use; ignored");
      } else {
        return fail(kv.first, where,
                    "unknown server setting; known: name, command, args, env, cwd, url, headers, expose");
      }
    }
    if (!enabled) return std::optional<mcp_server_config>();
    if (praxis && m.name.empty() && !m.url.empty()) m.name = name_from_url(m.url);
    auto problem = schema::check_server(m);
    if (!problem.empty()) return fail(n, key, problem);
    return std::optional(std::move(m));
  }

  result<void> read_servers(const YAML::Node& n, std::string_view key, std::vector<mcp_server_config>& out,
                            bool praxis) {
    const std::string k(key);
    if (n.IsNull()) return {};
    if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) {
        AP_TRY(auto m, read_server(n[i], k + "[" + std::to_string(i) + "]", "", praxis));
        if (m) AP_TRYV(add_server(n[i], k, out, std::move(*m)));
      }
      return {};
    }
    if (n.IsMap()) {
      for (const auto& kv : n) {
        AP_TRY(auto m, read_server(kv.second, k + "." + kv.first.Scalar(), kv.first.Scalar(), praxis));
        if (m) AP_TRYV(add_server(kv.second, k, out, std::move(*m)));
      }
      return {};
    }
    return fail(n, key, "expected a list of servers");
  }

  result<void> add_server(const YAML::Node& at, const std::string& key, std::vector<mcp_server_config>& out,
                          mcp_server_config m) {
    for (const auto& other : out)
      if (other.name == m.name) return fail(at, key, "two servers are named '" + m.name + "'");
    out.push_back(std::move(m));
    return {};
  }

  static std::string name_from_url(std::string_view url) {
    auto start = url.find("://");
    std::string host(url.substr(start == std::string_view::npos ? 0 : start + 3));
    host = host.substr(0, host.find('/'));
    std::string name;
    for (char c : host) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return name.empty() ? "external" : name.substr(0, 64);
  }

  // --- praxis-go-sdk keys ------------------------------------------------

  result<bool> praxis_key(const std::string& key, const YAML::Node& v) {
    if (key == "agent.external_mcp_endpoints" || key == "agent.external_mcp_servers" || key == "mcp.servers") {
      AP_TRYV(read_servers(v, key, cfg_.mcp_servers, true));
      return true;
    }
    if (key == "p2p.port") {
      AP_TRY(auto values, texts(v, key, false));
      std::int64_t port = -1;
      try {
        port = std::stoll(values.front());
      } catch (...) {
      }
      if (port < 0 || port > 65535) return fail(v, key, "expected a port number 0-65535, got '" + values.front() + "'");
      cfg_.listen = {"/ip4/0.0.0.0/tcp/" + std::to_string(port), "/ip6/::/tcp/" + std::to_string(port)};
      return true;
    }
    static const std::map<std::string, std::string, std::less<>> renamed = {
        {"p2p.enable_mdns", "mdns.enabled"}, {"p2p.enable_dht", "dht.enabled"}, {"p2p.bootstrap_nodes", "bootstrap"}};
    if (auto it = renamed.find(key); it != renamed.end()) {
      AP_TRYV(set(v, *schema::find(it->second)));
      return true;
    }
    if (key == "http.host" || key == "http.port") {
      AP_TRY(auto values, texts(v, key, false));
      (key == "http.host" ? http_host_ : http_port_) = values.front();
      http_node_ = v;
      return true;
    }
    if (key == "logging.level") {
      AP_TRY(auto values, texts(v, key, false));
      auto level = values.front();
      if (level == "warning") level = "warn";
      if (level == "fatal" || level == "panic") level = "error";
      auto problem = schema::assign(cfg_, *schema::find("logging.level"), {level});
      if (!problem.empty()) return fail(v, key, problem);
      return true;
    }
    if (key == "logging.format") {
      AP_TRY(auto values, texts(v, key, false));
      cfg_.logging.json = values.front() == "json";
      return true;
    }
    return false;
  }

  result<void> finish_praxis_http() {
    if (http_host_.empty() && http_port_.empty()) return {};
    auto current = cfg_.http.address;
    auto colon = current.rfind(':');
    std::string host = http_host_.empty() ? current.substr(0, colon) : http_host_;
    std::string port = http_port_.empty() ? current.substr(colon + 1) : http_port_;
    if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    auto problem = schema::assign(cfg_, *schema::find("http.address"), {host + ":" + port});
    if (!problem.empty()) return fail(http_node_, "http.host/http.port", problem);
    return {};
  }

  config& cfg_;
  std::string source_;
  env_lookup env_;
  bool praxis_ = false;
  std::vector<std::string> warnings_;
  std::string http_host_, http_port_;
  YAML::Node http_node_;
};

void emit_value(YAML::Emitter& out, const config& cfg, const schema::setting& s) {
  auto& c = const_cast<config&>(cfg);  // the accessors are shared with the writers; nothing is modified
  std::visit(
      [&](auto ref) {
        using ref_t = decltype(ref);
        if constexpr (std::is_same_v<ref_t, schema::string_ref>) {
          out << (s.key == "http.token" && !ref(c).empty() ? std::string("<set>") : ref(c));
        } else if constexpr (std::is_same_v<ref_t, schema::bool_ref>) {
          out << ref(c);
        } else if constexpr (std::is_same_v<ref_t, schema::int_ref>) {
          out << ref(c);
        } else if constexpr (std::is_same_v<ref_t, schema::duration_ref>) {
          out << schema::format_duration(ref(c));
        } else if constexpr (std::is_same_v<ref_t, schema::list_ref>) {
          out << YAML::Flow << YAML::BeginSeq;
          for (const auto& v : ref(c)) out << v;
          out << YAML::EndSeq;
        } else {
          out << YAML::BeginSeq;
          for (const auto& m : ref(c)) {
            out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << m.name;
            if (!m.command.empty()) {
              out << YAML::Key << "command" << YAML::Value << m.command;
              out << YAML::Key << "args" << YAML::Value << YAML::Flow << m.args;
              if (!m.env.empty()) out << YAML::Key << "env" << YAML::Value << YAML::Flow << m.env;
              if (!m.cwd.empty()) out << YAML::Key << "cwd" << YAML::Value << m.cwd;
            } else {
              out << YAML::Key << "url" << YAML::Value << m.url;
              if (!m.headers.empty()) {
                out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
                for (const auto& [k, v] : m.headers) out << YAML::Key << k << YAML::Value << "<set>";
                out << YAML::EndMap;
              }
            }
            out << YAML::Key << "expose" << YAML::Value;
            if (m.expose == "peers") out << YAML::Flow << m.expose_peers;
            else out << m.expose;
            out << YAML::EndMap;
          }
          out << YAML::EndSeq;
        }
      },
      s.field);
}

}  // namespace

result<std::vector<std::string>> apply_yaml_text(config& cfg, std::string_view text, std::string_view source) {
  return apply_yaml_text(cfg, text, source, process_env);
}

result<std::vector<std::string>> apply_yaml_text(config& cfg, std::string_view text, std::string_view source,
                                                 const env_lookup& env) {
  reader r(cfg, std::string(source), env);
  return r.read(text);
}

result<std::vector<std::string>> apply_yaml_file(config& cfg, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error(errc::not_found, "cannot read config file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  constexpr std::size_t max_size = 1024 * 1024;
  if (text.str().size() > max_size) return make_error(errc::too_large, file.string() + ": larger than 1 MiB");
  return apply_yaml_text(cfg, text.str(), file.string());
}

std::string to_yaml(const config& cfg) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::string section;
  for (const auto& s : schema::settings()) {
    auto dot = s.key.find('.');
    std::string sect = dot == std::string_view::npos ? "" : std::string(s.key.substr(0, dot));
    if (sect != section) {
      if (!section.empty()) out << YAML::EndMap;
      if (!sect.empty()) out << YAML::Key << sect << YAML::Value << YAML::BeginMap;
      section = sect;
    }
    out << YAML::Key << std::string(dot == std::string_view::npos ? s.key : s.key.substr(dot + 1)) << YAML::Value;
    emit_value(out, cfg, s);
  }
  if (!section.empty()) out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace agentp2p::daemon
