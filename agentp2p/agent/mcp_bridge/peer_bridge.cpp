#include "agentp2p/agent/mcp_bridge/peer_bridge.hpp"

#include <algorithm>
#include <set>
#include <variant>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/run_on.hpp"

namespace agentp2p::mcp_bridge {

namespace json = boost::json;

namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }

json::object schema_of(const card::tool_spec& t) {
  json::object props;
  json::array required;
  for (const auto& p : t.parameters) {
    json::object prop;
    if (!p.type.empty() && p.type != "any") prop["type"] = p.type;
    if (!p.description.empty()) prop["description"] = p.description;
    props[p.name] = std::move(prop);
    if (p.required) required.push_back(json::value(p.name));
  }
  json::object s;
  s["type"] = "object";
  s["properties"] = std::move(props);
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

std::string string_arg(const json::object& a, std::string_view k) {
  const auto* v = a.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A peer by id, or by the name on its card.
result<crypto::peer_id> resolve_peer(praxis::agent_services& agent, const std::string& text) {
  if (text.empty()) return make_error(errc::invalid_argument, "\"peer\" is required (a peer id or an agent name)");
  if (auto id = crypto::peer_id::parse(text)) return *id;
  std::optional<crypto::peer_id> found;
  for (const auto& e : agent.peers().peers())
    if (e.card && (e.card->name == text || sanitize_peer_name(e.card->name) == text)) {
      if (found) return make_error(errc::invalid_argument, "several peers are named \"" + text + "\"; use a peer id");
      found = e.peer;
    }
  if (!found) return make_error(errc::not_found, "no known peer \"" + text + "\"");
  return *found;
}

json::object peer_json(const registry::peer_entry& e) {
  json::object o;
  o["peerId"] = e.peer.to_base58();
  o["connected"] = e.connected;
  if (e.card) {
    o["name"] = e.card->name;
    o["version"] = e.card->version;
    json::array tools;
    for (const auto& t : e.card->tools) tools.push_back(json::value(t.name));
    o["tools"] = std::move(tools);
  }
  return o;
}

mcp::tool native(std::string name, std::string description, std::string_view schema) {
  mcp::tool t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = json::parse(schema).as_object();
  return t;
}

// ---- the work, on the host executor -----------------------------------------------------

awaitable<result<json::value>> call_peer(praxis::agent_services* agent, crypto::peer_id peer, std::string tool,
                                         json::object args, std::chrono::milliseconds timeout) {
  tools::call_options opts;
  opts.deadline = timeout;
  co_return co_await agent->remote().call(std::move(peer), std::move(tool), std::move(args), opts);
}

awaitable<result<json::value>> list_peers(praxis::agent_services* agent) {
  json::array out;
  for (const auto& e : agent->peers().peers()) out.push_back(peer_json(e));
  json::object r;
  r["peers"] = std::move(out);
  co_return json::value(std::move(r));
}

awaitable<result<json::value>> get_peer_card(praxis::agent_services* agent, std::string peer_text) {
  AP_CO_TRY(auto peer, resolve_peer(*agent, peer_text));
  auto e = agent->peers().get(peer);
  if (e && e->card) co_return card::to_json(*e->card);
  AP_CO_TRY(auto c, co_await agent->peers().refresh_card(peer));
  co_return card::to_json(c);
}

awaitable<result<json::value>> call_peer_tool(praxis::agent_services* agent, json::object args,
                                              std::chrono::milliseconds timeout) {
  AP_CO_TRY(auto peer, resolve_peer(*agent, string_arg(args, "peer")));
  auto tool = string_arg(args, "tool");
  if (tool.empty()) co_return make_error(errc::invalid_argument, "\"tool\" is required");
  json::object arguments;
  if (const auto* a = args.if_contains("arguments"); a && a->is_object()) arguments = a->get_object();
  co_return co_await call_peer(agent, std::move(peer), std::move(tool), std::move(arguments), timeout);
}

awaitable<result<json::value>> send_a2a(praxis::agent_services* agent, std::shared_ptr<a2a::client> c, json::object args) {
  AP_CO_TRY(auto peer, resolve_peer(*agent, string_arg(args, "peer")));
  auto text = string_arg(args, "text");
  if (text.empty()) co_return make_error(errc::invalid_argument, "\"text\" is required");
  a2a::message m;
  m.message_id = a2a::new_id();
  m.context_id = string_arg(args, "contextId");
  m.role = a2a::role::user;
  m.parts.push_back(a2a::part::text(std::move(text)));
  // The task, or the message of an agent that answered directly.
  AP_CO_TRY(auto sent, co_await c->send(peer, std::move(m)));
  co_return std::visit([](const auto& r) { return a2a::to_json(r, a2a::dialect::v1_0); }, sent);
}

awaitable<result<json::value>> find_agents(std::shared_ptr<discovery::capability_search> search, std::string tool) {
  if (tool.empty()) co_return make_error(errc::invalid_argument, "\"tool\" is required");
  AP_CO_TRY(auto found, co_await search->find_agents(std::move(tool)));
  json::array agents;
  for (const auto& a : found.agents) {
    json::object o;
    o["peerId"] = a.peer.to_base58();
    o["name"] = a.card.name;
    json::array tools;
    for (const auto& t : a.card.tools) tools.push_back(json::value(t.name));
    o["tools"] = std::move(tools);
    json::array addrs;
    for (const auto& ad : a.addrs) addrs.push_back(json::value(ad.to_string()));
    o["addrs"] = std::move(addrs);
    agents.push_back(std::move(o));
  }
  json::object r;
  r["agents"] = std::move(agents);
  r["providers"] = found.providers;
  co_return json::value(std::move(r));
}

// Runs `work` on the host executor and brings its result back. The MCP
// request's cancellation (notifications/cancelled, the session closing)
// reaches the work: a peer call then resets its stream, and the peer's
// handler is cancelled.
awaitable<result<json::value>> on_host(executor ex, awaitable<result<json::value>> work) {
  co_return co_await run_on(std::move(ex), std::move(work));
}

awaitable<result<json::array>> read_card(praxis::agent_services* agent, executor ex, std::string uri, std::string peer) {
  auto v = co_await run_on(std::move(ex), get_peer_card(agent, std::move(peer)));
  if (!v) co_return std::move(v).error();
  json::object c;
  c["uri"] = uri;
  c["mimeType"] = "application/json";
  c["text"] = json::serialize(*v);
  json::array out;
  out.push_back(std::move(c));
  co_return out;
}

}  // namespace

std::string sanitize_peer_name(std::string_view card_name) {
  std::string out;
  for (char c : card_name) {
    if (out.size() >= 48) break;
    out.push_back(name_char(c) ? c : '_');
  }
  return out;
}

std::string peer_tool_name(std::string_view prefix, std::string_view tool) {
  std::string out(prefix);
  out.push_back('.');
  for (char c : tool) out.push_back(name_char(c) || c == '.' ? c : '_');
  if (out.size() > 128) out.resize(128);
  return out;
}

peer_bridge::peer_bridge(std::shared_ptr<mcp::server> srv, std::shared_ptr<host::host> h, praxis::agent_services& agent,
                         std::shared_ptr<discovery::capability_search> search, config cfg)
    : server_(std::move(srv)),
      host_(h),
      executor_(h->get_executor()),
      agent_(agent),
      search_(std::move(search)),
      a2a_(std::make_shared<a2a::client>(h)),
      config_(cfg) {}

std::shared_ptr<peer_bridge> peer_bridge::start(std::shared_ptr<mcp::server> srv, std::shared_ptr<host::host> h,
                                                praxis::agent_services& agent,
                                                std::shared_ptr<discovery::capability_search> search, config cfg) {
  std::shared_ptr<peer_bridge> b(new peer_bridge(std::move(srv), std::move(h), agent, std::move(search), cfg));
  if (cfg.network_tools) b->add_network_tools();
  std::weak_ptr<peer_bridge> weak = b;
  b->peers_token_ = agent.peers().subscribe([weak](const registry::event&) {
    if (auto s = weak.lock()) s->sync();
  });
  b->sync();
  return b;
}

peer_bridge::~peer_bridge() { stop(); }

void peer_bridge::stop() {
  if (stopped_) return;
  stopped_ = true;
  agent_.peers().unsubscribe(peers_token_);
  for (const auto& [name, t] : exposed_) server_->remove_tool(name);
  for (const auto& [uri, p] : resources_) server_->remove_resource(uri);
  exposed_.clear();
  resources_.clear();
}

void peer_bridge::add_network_tools() {
  auto ex = executor_;
  praxis::agent_services* a = &agent_;
  auto timeout = config_.call_timeout;
  (void)server_->add_tool(native("list_peers", "The agents this node knows: peer id, name, connected, tools",
                                 R"({"type":"object","properties":{}})"),
                          [ex, a](json::object, mcp::tool_context&) { return on_host(ex, list_peers(a)); });
  (void)server_->add_tool(
      native("get_peer_card", "The praxis card of a peer (by peer id or agent name)",
             R"({"type":"object","properties":{"peer":{"type":"string","description":"peer id or agent name"}},"required":["peer"]})"),
      [ex, a](json::object args, mcp::tool_context&) { return on_host(ex, get_peer_card(a, string_arg(args, "peer"))); });
  (void)server_->add_tool(
      native("call_peer_tool", "Calls a tool on a peer over /praxis/tool/1.0.0",
             R"({"type":"object","properties":{"peer":{"type":"string","description":"peer id or agent name"},
                 "tool":{"type":"string"},"arguments":{"type":"object"}},"required":["peer","tool"]})"),
      [ex, a, timeout](json::object args, mcp::tool_context&) {
        return on_host(ex, call_peer_tool(a, std::move(args), timeout));
      });
  auto c = a2a_;
  (void)server_->add_tool(
      native("send_a2a_message", "Sends a text message to a peer's A2A agent and returns the task",
             R"({"type":"object","properties":{"peer":{"type":"string","description":"peer id or agent name"},
                 "text":{"type":"string"},"contextId":{"type":"string"}},"required":["peer","text"]})"),
      [ex, a, c](json::object args, mcp::tool_context&) { return on_host(ex, send_a2a(a, c, std::move(args))); });
  if (search_) {
    auto s = search_;
    (void)server_->add_tool(
        native("find_agents", "Finds agents anywhere on the network (DHT) that offer a tool",
               R"({"type":"object","properties":{"tool":{"type":"string","description":"tool name"}},"required":["tool"]})"),
        [ex, s](json::object args, mcp::tool_context&) { return on_host(ex, find_agents(s, string_arg(args, "tool"))); });
  }
}

void peer_bridge::sync() {
  if (stopped_) return;
  // Connected peers with a card, by peer id (the map's order decides collisions).
  auto peers = agent_.peers().peers();
  std::map<std::string, std::vector<const registry::peer_entry*>> by_prefix;
  for (const auto& e : peers) {
    if (!e.connected || !e.card) continue;
    auto prefix = sanitize_peer_name(e.card->name);
    if (prefix.empty()) prefix = tail(e.peer.to_base58(), 8);
    by_prefix[prefix].push_back(&e);
  }
  std::map<std::string, exposed_tool> want;
  std::map<std::string, card::tool_spec> want_specs;
  std::map<std::string, std::string> want_resources;
  for (auto& [prefix, list] : by_prefix) {
    std::sort(list.begin(), list.end(), [](auto* x, auto* y) { return x->peer.to_base58() < y->peer.to_base58(); });
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& e = *list[i];
      const std::string p = i == 0 ? prefix : prefix + "-" + tail(e.peer.to_base58(), 6);
      if (config_.peer_resources) want_resources["agent://peers/" + e.peer.to_base58() + "/card"] = e.peer.to_base58();
      if (!config_.peer_tools) continue;
      for (const auto& t : e.card->tools) {
        auto name = peer_tool_name(p, t.name);
        if (want.contains(name)) continue;
        want.emplace(name, exposed_tool{e.peer, t.name});
        want_specs[name] = t;
      }
    }
  }
  bool changed = false;
  for (auto it = exposed_.begin(); it != exposed_.end();) {
    auto w = want.find(it->first);
    if (w == want.end() || w->second.peer != it->second.peer || want_specs[it->first] != exposed_specs_[it->first]) {
      server_->remove_tool(it->first);
      exposed_specs_.erase(it->first);
      it = exposed_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  auto ex = executor_;
  praxis::agent_services* a = &agent_;
  auto timeout = config_.call_timeout;
  for (const auto& [name, t] : want) {
    if (exposed_.contains(name)) continue;
    const auto& spec = want_specs[name];
    mcp::tool def;
    def.name = name;
    def.description = (spec.description.empty() ? t.tool : spec.description) + " (on peer " + t.peer.short_string() + ")";
    def.input_schema = schema_of(spec);
    auto peer = t.peer;
    auto tool = t.tool;
    auto added = server_->add_tool(def, [ex, a, peer, tool, timeout](json::object args, mcp::tool_context&) {
      return on_host(ex, call_peer(a, peer, tool, std::move(args), timeout));
    });
    if (!added) {
      log::warn("mcp bridge: cannot expose " + name + ": " + added.error().message);
      continue;
    }
    exposed_.emplace(name, t);
    exposed_specs_[name] = spec;
    changed = true;
  }
  for (auto it = resources_.begin(); it != resources_.end();) {
    if (!want_resources.contains(it->first)) {
      server_->remove_resource(it->first);
      it = resources_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [uri, peer] : want_resources) {
    if (resources_.contains(uri)) continue;
    mcp::resource r;
    r.uri = uri;
    r.name = "peer-card-" + tail(peer, 8);
    r.title = "Card of peer " + tail(peer, 8);
    r.mime_type = "application/json";
    auto p = peer;
    if (server_->add_resource(r, [a, ex, p](std::string u, std::map<std::string, std::string>) {
          return read_card(a, ex, std::move(u), p);
        }))
      resources_[uri] = peer;
  }
  if (changed) log::debug("mcp bridge: " + std::to_string(exposed_.size()) + " peer tools exposed");
}

}  // namespace agentp2p::mcp_bridge
