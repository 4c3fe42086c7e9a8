#include "agentp2p/daemon/api.hpp"

#include <set>

#include <boost/json.hpp>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/daemon/service.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

// GCC 12: JSON values are built in these plain functions, never as braced
// lists inside the coroutines below.

api_response json_response(int status, const json::value& v) {
  api_response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

api_response error_response(int status, std::string_view code, std::string_view message) {
  json::object e;
  e["code"] = code;
  e["message"] = message;
  json::object o;
  o["error"] = std::move(e);
  return json_response(status, o);
}

// The HTTP status and code that fit an agentp2p error.
api_response from_error(const error& e) {
  if (e.code.category() == agentp2p_category()) {
    switch (static_cast<errc>(e.code.value())) {
      case errc::invalid_argument:
      case errc::decode_error: return error_response(400, "invalid_argument", e.message);
      case errc::not_found: return error_response(404, "not_found", e.message);
      case errc::too_large: return error_response(413, "too_large", e.message);
      case errc::limit_exceeded: return error_response(429, "limit_exceeded", e.message);
      case errc::unsupported: return error_response(501, "unsupported", e.message);
      case errc::timeout: return error_response(504, "timeout", e.message);
      case errc::cancelled:
      case errc::closed: return error_response(503, "unavailable", e.message);
      case errc::connection_refused:
      case errc::io_error:
      case errc::end_of_stream:
      case errc::reset:
      case errc::handshake_failed:
      case errc::peer_id_mismatch:
      case errc::protocol_error: return error_response(502, "peer_error", e.message);
      default: break;
    }
  }
  // Tool and A2A errors carry JSON-RPC codes: the request reached the peer or
  // tool, which answered with an error.
  return error_response(502, "remote_error", e.message);
}

result<json::object> parse_body(std::string_view body) {
  if (body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return make_error(errc::invalid_argument, "request body is not JSON: " + ec.message());
  if (!v.is_object()) return make_error(errc::invalid_argument, "request body must be a JSON object");
  return std::move(v.as_object());
}

result<std::string> string_field(const json::object& o, std::string_view key, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) return make_error(errc::invalid_argument, "missing \"" + std::string(key) + "\" (a string)");
    return std::string();
  }
  if (!it->value().is_string()) return make_error(errc::invalid_argument, "\"" + std::string(key) + "\" must be a string");
  return std::string(it->value().as_string());
}

result<crypto::peer_id> peer_field(std::string_view text) {
  auto p = crypto::peer_id::parse(text);
  if (!p) return make_error(errc::invalid_argument, "'" + std::string(text) + "' is not a peer id (12D3KooW... or Qm...)");
  return *p;
}

double latency_ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

json::array tool_names(const card::agent_card& c) {
  json::array out;
  for (const auto& t : c.tools) out.emplace_back(t.name);
  return out;
}

json::object peer_summary(host::host& h, const registry::peer_entry& e) {
  json::object p;
  p["peerId"] = e.peer.to_string();
  p["connected"] = e.connected;
  if (e.card) {
    p["name"] = e.card->name;
    p["version"] = e.card->version;
    p["tools"] = tool_names(*e.card);
  }
  if (auto rec = h.peers().get(e.peer)) {
    if (!rec->agent_version.empty()) p["agentVersion"] = rec->agent_version;
    if (rec->latency) p["latencyMs"] = latency_ms(*rec->latency);
    json::array addrs;
    for (const auto& a : rec->addrs) addrs.emplace_back(a.to_string());
    p["addrs"] = std::move(addrs);
  }
  return p;
}

json::object tool_json(std::string_view name, std::string_view description, const json::object& schema) {
  json::object t;
  t["name"] = name;
  t["description"] = description;
  t["inputSchema"] = schema;
  return t;
}

// A praxis card's parameters as a JSON Schema (what MCP clients expect).
json::object schema_of(const card::tool_spec& spec) {
  auto v = card::to_json(spec);
  json::object schema;
  schema["type"] = "object";
  json::object props;
  json::array required;
  if (v.is_object())
    if (auto* params = v.as_object().if_contains("parameters"); params && params->is_array())
      for (const auto& p : params->as_array()) {
        if (!p.is_object()) continue;
        const auto& po = p.as_object();
        auto* name = po.if_contains("name");
        if (!name || !name->is_string()) continue;
        json::object prop;
        if (auto* t = po.if_contains("type")) prop["type"] = *t;
        if (auto* d = po.if_contains("description")) prop["description"] = *d;
        props[name->as_string()] = std::move(prop);
        if (auto* r = po.if_contains("required"); r && r->is_bool() && r->as_bool()) required.push_back(*name);
      }
  schema["properties"] = std::move(props);
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

a2a::message make_message(const std::string& text, const json::value* data, std::string task_id, std::string context_id) {
  a2a::message m;
  m.message_id = a2a::new_id();
  m.role = a2a::role::user;
  m.task_id = std::move(task_id);
  m.context_id = std::move(context_id);
  if (!text.empty()) m.parts.push_back(a2a::part::text(text));
  if (data) m.parts.push_back(a2a::part::data(*data));
  return m;
}

json::object call_event(std::string_view peer, std::string_view tool, std::string_view outcome, double ms) {
  json::object d;
  d["peer"] = peer;
  d["tool"] = tool;
  d["outcome"] = outcome;
  d["durationMs"] = ms;
  d["direction"] = "outbound";
  return d;
}

json::object result_object(json::value v) {
  json::object o;
  o["result"] = std::move(v);
  return o;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string outcome_of(const result<json::value>& r) {
  if (r) return "ok";
  if (r.error().is(errc::timeout)) return "timeout";
  if (r.error().is(errc::not_found)) return "not_found";
  return "error";
}

json::object found_json(const discovery::found_agent& a) {
  json::object s;
  s["peerId"] = a.peer.to_string();
  s["name"] = a.card.name;
  s["tools"] = tool_names(a.card);
  json::array addrs;
  for (const auto& x : a.addrs) addrs.emplace_back(x.to_string());
  s["addrs"] = std::move(addrs);
  s["source"] = "dht";
  return s;
}

json::object find_result_json(std::string_view tool, json::array agents, bool dht, const std::string& dht_error) {
  json::object o;
  o["tool"] = tool;
  o["agents"] = std::move(agents);
  o["dht"] = dht;
  if (!dht_error.empty()) o["dhtError"] = dht_error;
  return o;
}

}  // namespace

api::api(service& s) : service_(s) {}
api::~api() = default;

api_request api::parse_target(std::string method, std::string_view target, std::string body) {
  api_request r;
  r.method = std::move(method);
  r.body = std::move(body);
  auto q = target.find('?');
  r.path = url_decode(target.substr(0, q));
  if (q != std::string_view::npos) {
    auto rest = target.substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      auto pair = rest.substr(0, amp);
      auto eq = pair.find('=');
      r.query[url_decode(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  return r;
}

a2a::client& api::a2a_client() {
  if (!a2a_client_) a2a_client_ = std::make_unique<a2a::client>(service_.node().shared_host());
  return *a2a_client_;
}

awaitable<api_response> api::handle(api_request req) {
  auto resp = co_await route(req);
  std::string area = req.path == "/metrics" ? "metrics" : "api";
  service_.metrics().add("agentp2p_http_requests_total", {{"area", area}, {"status", std::to_string(resp.status)}});
  co_return resp;
}

awaitable<api_response> api::route(api_request& req) {
  const std::string& p = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  static constexpr std::string_view peers_prefix = "/api/v1/peers/";
  static constexpr std::string_view tasks_prefix = "/api/v1/a2a/tasks/";

  if (p == "/metrics" && get) {
    api_response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = service_.render_metrics();
    co_return r;
  }
  if (p == "/api/v1/openapi.json" && get) co_return json_response(200, openapi());
  if (p == "/api/v1/node" && get) co_return node_info();
  if (p == "/api/v1/peers" && get) co_return peers();
  if (p == "/api/v1/tools" && get) co_return tools();
  if (p == "/api/v1/tasks" && get) co_return tasks(req.query);
  if (p == "/api/v1/find-agents" && get) {
    auto it = req.query.find("tool");
    if (it == req.query.end() || it->second.empty())
      co_return error_response(400, "invalid_argument", "give the tool name: /api/v1/find-agents?tool=NAME");
    std::string tool = it->second;
    co_return co_await find_agents(std::move(tool));
  }

  // Routes with a body.
  if (post) {
    auto body = parse_body(req.body);
    if (!body) co_return from_error(body.error());
    if (p == "/api/v1/tools/call") co_return co_await call_tool(*body);
    if (p == "/api/v1/peers/connect") co_return co_await connect(*body);
    if (p == "/api/v1/a2a/send") co_return co_await a2a_send(*body);
    if (p.starts_with(peers_prefix) && p.ends_with("/ping")) {
      std::string id = p.substr(peers_prefix.size(), p.size() - peers_prefix.size() - 5);
      co_return co_await ping(std::move(id), *body);
    }
    if (p.starts_with(tasks_prefix) && p.ends_with("/cancel")) {
      std::string id = p.substr(tasks_prefix.size(), p.size() - tasks_prefix.size() - 7);
      auto peer = string_field(*body, "peer", false);
      if (!peer) co_return from_error(peer.error());
      std::string peer_id = *peer;
      co_return co_await a2a_cancel(std::move(id), std::move(peer_id));
    }
  }
  if (get && p.starts_with(peers_prefix) && p.find('/', peers_prefix.size()) == std::string::npos)
    co_return peer(std::string_view(p).substr(peers_prefix.size()));
  if (get && p.starts_with(tasks_prefix) && p.find('/', tasks_prefix.size()) == std::string::npos) {
    // (Named values, not temporaries, as co_await arguments: GCC 12.)
    std::string id = p.substr(tasks_prefix.size());
    std::string peer_id;
    if (auto it = req.query.find("peer"); it != req.query.end()) peer_id = it->second;
    co_return co_await a2a_get(std::move(id), std::move(peer_id));
  }
  static constexpr std::string_view known[] = {"/api/v1/node", "/api/v1/peers", "/api/v1/tools", "/api/v1/tasks",
                                               "/api/v1/find-agents", "/api/v1/openapi.json", "/metrics",
                                               "/api/v1/tools/call", "/api/v1/peers/connect", "/api/v1/a2a/send"};
  for (auto k : known)
    if (p == k)
      co_return error_response(405, "method_not_allowed",
                               req.method + " is not allowed on " + p + "; see GET /api/v1/openapi.json");
  co_return error_response(404, "not_found", "no route " + p + "; the API is under /api/v1 (GET /api/v1/openapi.json)");
}

api_response api::node_info() const {
  auto& n = service_.node();
  auto& h = n.host();
  json::array addrs;
  for (const auto& a : h.listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + h.id().to_string());
  json::object o;
  o["peerId"] = h.id().to_string();
  o["name"] = service_.settings().agent.name;
  o["version"] = service_.settings().agent.version;
  o["description"] = service_.settings().agent.description;
  o["agentVersion"] = h.settings().agent_version;
  o["listenAddrs"] = std::move(addrs);
  o["protocols"] = json::value_from(h.protocols());
  o["connections"] = h.connections().size();
  o["peers"] = n.agent().peers().size();
  o["tools"] = n.agent().tools().size();
  o["apiUrl"] = service_.api_url();
  o["mcpUrl"] = service_.mcp_url();
  o["dataDir"] = service_.data_dir().string();
  o["uptimeSeconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - service_.started_at()).count();
  o["card"] = card::to_json(n.agent().our_card());
  return json_response(200, o);
}

api_response api::peers() const {
  auto& n = service_.node();
  json::array out;
  for (const auto& e : n.agent().peers().peers()) out.push_back(peer_summary(n.host(), e));
  json::object o;
  o["peers"] = std::move(out);
  return json_response(200, o);
}

api_response api::peer(std::string_view id) const {
  auto pid = peer_field(id);
  if (!pid) return from_error(pid.error());
  auto& n = service_.node();
  auto e = n.agent().peers().get(*pid);
  auto rec = n.host().peers().get(*pid);
  if (!e && !rec)
    return error_response(404, "not_found", "peer " + std::string(id) + " is not known; connect to it first (POST /api/v1/peers/connect)");
  json::object o = e ? peer_summary(n.host(), *e) : json::object{};
  o["peerId"] = pid->to_string();
  o["connected"] = n.host().is_connected(*pid);
  if (e && e->card) o["card"] = card::to_json(*e->card);
  if (e && e->a2a_card) o["a2aCard"] = *e->a2a_card;
  if (rec) {
    o["protocols"] = json::value_from(rec->protocols);
    if (rec->latency) o["latencyMs"] = latency_ms(*rec->latency);
    json::array addrs;
    for (const auto& a : rec->addrs) addrs.emplace_back(a.to_string());
    o["addrs"] = std::move(addrs);
  }
  json::array conns;
  for (const auto& c : n.host().connections_to(*pid)) {
    json::object co;
    co["remoteAddr"] = c->info().remote_addr.to_string();
    co["direction"] = std::string(host::to_string(c->info().direction));
    co["security"] = c->info().security;
    co["muxer"] = c->info().muxer;
    conns.push_back(std::move(co));
  }
  o["connections"] = std::move(conns);
  return json_response(200, o);
}

api_response api::tools() const {
  auto& n = service_.node();
  json::array local;
  for (const auto& t : n.agent().tools().list()) local.push_back(tool_json(t.name, t.description, t.input_schema));
  json::array remote;
  for (const auto& e : n.agent().peers().peers()) {
    if (!e.card) continue;
    for (const auto& t : e.card->tools) {
      auto tj = tool_json(t.name, t.description, schema_of(t));
      tj["peerId"] = e.peer.to_string();
      tj["peerName"] = e.card->name;
      tj["connected"] = e.connected;
      remote.push_back(std::move(tj));
    }
  }
  json::object o;
  o["local"] = std::move(local);
  o["remote"] = std::move(remote);
  return json_response(200, o);
}

// Peers in the registry whose card lists the tool, then (with the DHT) the
// providers capability search finds and confirms by their cards.
awaitable<api_response> api::find_agents(std::string tool) {
  auto& n = service_.node();
  json::array out;
  std::set<std::string> seen;
  for (const auto& e : n.agent().peers().peers()) {
    if (!e.card) continue;
    for (const auto& t : e.card->tools)
      if (t.name == tool) {
        auto s = peer_summary(n.host(), e);
        s["source"] = "registry";
        seen.insert(e.peer.to_string());
        out.push_back(std::move(s));
        break;
      }
  }
  bool searched_dht = false;
  std::string dht_error;
  if (auto search = n.capabilities()) {
    auto found = co_await search->find_agents(tool);
    searched_dht = true;
    if (!found) {
      dht_error = found.error().message;
    } else {
      for (const auto& a : found->agents) {
        if (!seen.insert(a.peer.to_string()).second) continue;
        out.push_back(found_json(a));
      }
    }
  }
  co_return json_response(200, find_result_json(tool, std::move(out), searched_dht, dht_error));
}

api_response api::tasks(const std::map<std::string, std::string>& query) const {
  a2a::task_query q;
  if (auto it = query.find("limit"); it != query.end()) {
    try {
      q.limit = static_cast<std::size_t>(std::stoul(it->second));
    } catch (...) {
      return error_response(400, "invalid_argument", "limit must be a number");
    }
  }
  q.history_length = 1;
  q.include_artifacts = true;
  auto page = service_.node().tasks().list(a2a::request_context{}, q);
  if (!page) return from_error(page.error());
  json::array out;
  for (const auto& t : page->tasks) out.push_back(a2a::to_json(t, a2a::dialect::v1_0));
  json::object o;
  o["tasks"] = std::move(out);
  o["total"] = page->total;
  return json_response(200, o);
}

awaitable<api_response> api::call_tool(const json::object& body) {
  auto tool = string_field(body, "tool", true);
  if (!tool) co_return from_error(tool.error());
  auto peer_text = string_field(body, "peer", false);
  if (!peer_text) co_return from_error(peer_text.error());
  json::object args;
  if (auto* a = body.if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object()) co_return error_response(400, "invalid_argument", "\"arguments\" must be a JSON object");
    args = a->as_object();
  }
  auto& n = service_.node();
  if (peer_text->empty() || *peer_text == n.host().id().to_string()) {
    auto r = co_await n.agent().tools().call(*tool, std::move(args));
    if (!r) co_return from_error(r.error());
    co_return json_response(200, result_object(std::move(*r)));
  }
  auto peer = peer_field(*peer_text);
  if (!peer) co_return from_error(peer.error());
  const auto started = std::chrono::steady_clock::now();
  auto r = co_await n.agent().remote().call(*peer, *tool, std::move(args));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto outcome = outcome_of(r);
  service_.metrics().add("agentp2p_remote_tool_calls_total", {{"outcome", outcome}});
  service_.metrics().observe("agentp2p_remote_tool_call_duration_seconds", {}, secs);
  service_.events().publish("tool.called", call_event(*peer_text, *tool, outcome, secs * 1000));
  if (!r) co_return from_error(r.error());
  co_return json_response(200, result_object(std::move(*r)));
}

awaitable<api_response> api::connect(const json::object& body) {
  auto text = string_field(body, "addr", true);
  if (!text) co_return from_error(text.error());
  auto addr = multiformats::multiaddr::parse(*text);
  if (!addr) co_return error_response(400, "invalid_argument", "'" + *text + "' is not a multiaddr: " + addr.error().message);
  if (!addr->has(multiformats::protocol_code::p2p))
    co_return error_response(400, "invalid_argument", "the address must end in /p2p/<peer id>");
  auto conn = co_await service_.node().host().connect(*addr);
  if (!conn) co_return from_error(conn.error());
  json::object o;
  o["peerId"] = (*conn)->remote_peer().to_string();
  o["remoteAddr"] = (*conn)->info().remote_addr.to_string();
  o["connected"] = true;
  co_return json_response(200, o);
}

awaitable<api_response> api::ping(std::string peer_text, const json::object& body) {
  auto peer = peer_field(peer_text);
  if (!peer) co_return from_error(peer.error());
  std::size_t count = 1;
  if (auto* c = body.if_contains("count")) {
    if (!c->is_int64() || c->as_int64() < 1 || c->as_int64() > 100)
      co_return error_response(400, "invalid_argument", "\"count\" must be an integer 1-100");
    count = static_cast<std::size_t>(c->as_int64());
  }
  auto rtts = co_await service_.node().ping().ping(*peer, count);
  if (!rtts) co_return from_error(rtts.error());
  json::array ms;
  for (auto r : *rtts) ms.emplace_back(static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(r).count()) / 1000.0);
  json::object o;
  o["peerId"] = peer_text;
  o["rttMs"] = std::move(ms);
  co_return json_response(200, o);
}

awaitable<api_response> api::a2a_send(const json::object& body) {
  auto peer_text = string_field(body, "peer", false);
  auto text = string_field(body, "text", false);
  auto task_id = string_field(body, "taskId", false);
  auto context_id = string_field(body, "contextId", false);
  if (!peer_text) co_return from_error(peer_text.error());
  if (!text) co_return from_error(text.error());
  if (!task_id) co_return from_error(task_id.error());
  if (!context_id) co_return from_error(context_id.error());
  const json::value* data = body.if_contains("data");
  if (text->empty() && !data) co_return error_response(400, "invalid_argument", "give \"text\" or \"data\" (or both)");
  auto m = make_message(*text, data, *task_id, *context_id);
  auto& n = service_.node();
  if (peer_text->empty() || *peer_text == n.host().id().to_string()) {
    auto sent = n.tasks().send(a2a::request_context{}, std::move(m), false);
    if (!sent) co_return from_error(sent.error());
    co_return json_response(200, a2a::to_json(sent->task, a2a::dialect::v1_0));
  }
  auto peer = peer_field(*peer_text);
  if (!peer) co_return from_error(peer.error());
  a2a::send_options opts;
  opts.blocking = false;
  auto sent = co_await a2a_client().send(*peer, std::move(m), opts);
  if (!sent) co_return from_error(sent.error());
  // The task, or the message of an agent that answered directly (no task).
  co_return json_response(200, std::visit([](const auto& r) { return a2a::to_json(r, a2a::dialect::v1_0); }, *sent));
}

awaitable<api_response> api::a2a_get(std::string id, std::string peer_text) {
  auto& n = service_.node();
  if (peer_text.empty() || peer_text == n.host().id().to_string()) {
    auto t = n.tasks().get(a2a::request_context{}, id);
    if (!t) co_return from_error(t.error());
    if (a2a::ends_turn(t->status.state) && !n.tasks().is_durable(t->id)) {
      // Report a finished turn only once it is committed to the task store.
      auto saved = co_await n.tasks().durable(t->id);
      if (!saved) co_return from_error(saved.error());
    }
    co_return json_response(200, a2a::to_json(*t, a2a::dialect::v1_0));
  }
  auto peer = peer_field(peer_text);
  if (!peer) co_return from_error(peer.error());
  auto t = co_await a2a_client().get(*peer, id);
  if (!t) co_return from_error(t.error());
  co_return json_response(200, a2a::to_json(*t, a2a::dialect::v1_0));
}

awaitable<api_response> api::a2a_cancel(std::string id, std::string peer_text) {
  auto& n = service_.node();
  if (peer_text.empty() || peer_text == n.host().id().to_string()) {
    auto t = n.tasks().cancel(a2a::request_context{}, id);
    if (!t) co_return from_error(t.error());
    if (a2a::ends_turn(t->status.state) && !n.tasks().is_durable(t->id)) {
      // Report a finished turn only once it is committed to the task store.
      auto saved = co_await n.tasks().durable(t->id);
      if (!saved) co_return from_error(saved.error());
    }
    co_return json_response(200, a2a::to_json(*t, a2a::dialect::v1_0));
  }
  auto peer = peer_field(peer_text);
  if (!peer) co_return from_error(peer.error());
  auto t = co_await a2a_client().cancel(*peer, id);
  if (!t) co_return from_error(t.error());
  co_return json_response(200, a2a::to_json(*t, a2a::dialect::v1_0));
}

}  // namespace agentp2p::daemon
