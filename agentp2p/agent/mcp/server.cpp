#include "agentp2p/agent/mcp/server.hpp"

#include <algorithm>
#include <list>
#include <mutex>
#include <set>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/mcp/uri_template.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/agent/tools/schema.hpp"
#include "agentp2p/base/log.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

namespace server_detail {

struct native_tool {
  json::object listing;
  tools::schema input;
  tool_handler handler;
};
struct static_resource {
  json::object listing;
  resource_reader read;
};
struct template_entry {
  json::object listing;
  uri_template matcher;
  resource_reader read;
};
struct prompt_entry {
  prompt def;
  json::object listing;
  prompt_handler handler;
};

class server_session;

bool valid_tool_name(std::string_view n) {
  if (n.empty() || n.size() > 128) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void put_if(json::object& o, std::string_view key, const std::string& v) {
  if (!v.empty()) o[key] = v;
}

agentp2p::error invalid_params(std::string what) { return rpc_error(code::invalid_params, std::move(what)); }

// ---- pagination: the cursor is the hex of the last name sent -------------------------

std::string hex(std::string_view s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::optional<std::string> unhex(std::string_view s) {
  if (s.size() % 2 || s.size() > 1024) return std::nullopt;
  auto val = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

// One page of `items` (sorted by key) after params.cursor, as {<field>: [...], nextCursor?}.
result<json::value> paginate(const std::map<std::string, json::object>& items, const json::value& params,
                             std::string_view field, std::size_t page_size) {
  auto it = items.begin();
  if (const auto* p = params.if_object()) {
    if (const auto* c = p->if_contains("cursor"); c && !c->is_null()) {
      auto after = c->is_string() ? unhex(c->get_string()) : std::nullopt;
      if (!after) return invalid_params("invalid cursor");
      it = items.upper_bound(*after);
    }
  }
  json::array page;
  std::string last;
  for (; it != items.end() && page.size() < std::max<std::size_t>(page_size, 1); ++it) {
    page.push_back(it->second);
    last = it->first;
  }
  json::object out;
  out[field] = std::move(page);
  if (it != items.end()) out["nextCursor"] = hex(last);
  return json::value(std::move(out));
}

json::object text_content(std::string text) {
  json::object t;
  t["type"] = "text";
  t["text"] = std::move(text);
  return t;
}

// A tool outcome as a CallToolResult.
json::value call_result(result<json::value> outcome) {
  json::object out;
  json::array content;
  if (!outcome) {
    content.push_back(text_content(outcome.error().message));
    out["content"] = std::move(content);
    out["isError"] = true;
    return out;
  }
  if (auto* o = outcome->if_object(); o && o->contains("content") && o->at("content").is_array())
    return std::move(*outcome);
  content.push_back(text_content(outcome->is_string() ? std::string(outcome->get_string())
                                                      : json::serialize(*outcome)));
  out["content"] = std::move(content);
  if (outcome->is_object()) out["structuredContent"] = std::move(*outcome);
  out["isError"] = false;
  return out;
}

}  // namespace server_detail

using namespace server_detail;

struct server::state {
  server_config cfg;
  std::shared_ptr<tools::registry> registry;
  std::uint64_t registry_listener = 0;

  mutable std::mutex mutex;
  std::map<std::string, std::shared_ptr<const native_tool>, std::less<>> tools;
  std::map<std::string, std::shared_ptr<const static_resource>, std::less<>> resources;
  std::vector<std::shared_ptr<const template_entry>> templates;
  std::map<std::string, std::shared_ptr<const prompt_entry>, std::less<>> prompts;
  completion_handler completion;
  std::list<std::weak_ptr<server_session>> sessions;

  // Runs `fn(session)` on each live session's executor.
  void for_each_session(std::function<void(server_session&)> fn);
  void list_changed(std::string_view what);
};

namespace server_detail {

// The server role of one session: its negotiated state and the MCP methods.
class server_session final : public handler, public std::enable_shared_from_this<server_session> {
 public:
  explicit server_session(std::shared_ptr<server::state> st) : state_(std::move(st)), level_(state_->cfg.default_log_level) {}

  std::weak_ptr<session> owner;
  log_level& level() noexcept { return level_; }
  bool subscribed(std::string_view uri) const { return subscriptions_.contains(std::string(uri)); }

  awaitable<result<json::value>> on_request(request_context& ctx, json::value params) override;

 private:
  result<json::value> initialize(request_context& ctx, const json::value& params);
  result<json::value> list_tools(const json::value& params);
  awaitable<result<json::value>> call_tool(request_context& ctx, const json::value& params);
  awaitable<result<json::value>> read_resource(const json::value& params);
  result<json::value> subscribe(const json::value& params, bool on);
  awaitable<result<json::value>> get_prompt(const json::value& params);
  awaitable<result<json::value>> complete(const json::value& params);
  result<json::value> set_level(const json::value& params);

  std::shared_ptr<server::state> state_;
  log_level level_;
  std::set<std::string> subscriptions_;
};

const json::object empty_object;

const json::object& params_object(const json::value& params) {
  if (const auto* o = params.if_object()) return *o;
  return empty_object;
}

std::optional<std::string> string_param(const json::value& params, std::string_view key) {
  const auto* v = params_object(params).if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

awaitable<result<json::value>> server_session::on_request(request_context& ctx, json::value params) {
  const std::string& m = ctx.method();
  if (m == "initialize") co_return initialize(ctx, params);
  if (m == "tools/list") co_return list_tools(params);
  if (m == "tools/call") co_return co_await call_tool(ctx, params);
  if (m == "resources/list") {
    std::map<std::string, json::object> items;
    {
      std::lock_guard lock(state_->mutex);
      for (const auto& [uri, r] : state_->resources) items.emplace(uri, r->listing);
    }
    co_return paginate(items, params, "resources", state_->cfg.page_size);
  }
  if (m == "resources/templates/list") {
    std::map<std::string, json::object> items;
    {
      std::lock_guard lock(state_->mutex);
      for (const auto& t : state_->templates) items.emplace(t->matcher.text(), t->listing);
    }
    co_return paginate(items, params, "resourceTemplates", state_->cfg.page_size);
  }
  if (m == "resources/read") co_return co_await read_resource(params);
  if (m == "resources/subscribe") co_return subscribe(params, true);
  if (m == "resources/unsubscribe") co_return subscribe(params, false);
  if (m == "prompts/list") {
    std::map<std::string, json::object> items;
    {
      std::lock_guard lock(state_->mutex);
      for (const auto& [name, p] : state_->prompts) items.emplace(name, p->listing);
    }
    co_return paginate(items, params, "prompts", state_->cfg.page_size);
  }
  if (m == "prompts/get") co_return co_await get_prompt(params);
  if (m == "logging/setLevel") co_return set_level(params);
  if (m == "completion/complete") co_return co_await complete(params);
  co_return rpc_error(code::method_not_found, "method not found: " + m.substr(0, 128));
}

result<json::value> server_session::initialize(request_context& ctx, const json::value& params) {
  session& s = ctx.owner();
  if (s.initialized()) return rpc_error(code::invalid_request, "the session is already initialized");
  const auto& p = params_object(params);
  const auto* requested = p.if_contains("protocolVersion");
  if (!requested || !requested->is_string()) return invalid_params("initialize: protocolVersion must be a string");
  json::object client_caps, client_info;
  if (const auto* c = p.if_contains("capabilities"); c && c->is_object()) client_caps = c->get_object();
  if (const auto* c = p.if_contains("clientInfo"); c && c->is_object()) client_info = c->get_object();
  std::string version = negotiate_version(requested->get_string());

  const auto& cfg = state_->cfg;
  json::object caps;
  json::object tools_cap, resources_cap, prompts_cap;
  tools_cap["listChanged"] = true;
  resources_cap["subscribe"] = true;
  resources_cap["listChanged"] = true;
  prompts_cap["listChanged"] = true;
  caps["tools"] = std::move(tools_cap);
  caps["resources"] = std::move(resources_cap);
  caps["prompts"] = std::move(prompts_cap);
  caps["logging"] = json::object();
  {
    std::lock_guard lock(state_->mutex);
    if (state_->completion) caps["completions"] = json::object();
  }
  json::object info;
  info["name"] = cfg.info.name;
  info["version"] = cfg.info.version;
  put_if(info, "title", cfg.info.title);

  json::object out;
  out["protocolVersion"] = version;
  out["capabilities"] = std::move(caps);
  out["serverInfo"] = std::move(info);
  put_if(out, "instructions", cfg.instructions);
  log::debug(s.settings().name + ": initialized with " + version);
  s.set_initialized(std::move(version), std::move(client_caps), std::move(client_info));
  return json::value(std::move(out));
}

result<json::value> server_session::list_tools(const json::value& params) {
  std::map<std::string, json::object> items;
  if (state_->registry) {
    for (const auto& def : state_->registry->list()) {
      json::object t;
      t["name"] = def.name;
      t["description"] = def.description;
      json::object schema = def.input_schema;
      if (!schema.contains("type")) schema["type"] = "object";
      t["inputSchema"] = std::move(schema);
      if (def.output_schema) t["outputSchema"] = *def.output_schema;
      if (def.annotations) t["annotations"] = *def.annotations;
      items.emplace(def.name, std::move(t));
    }
  }
  {
    std::lock_guard lock(state_->mutex);
    for (const auto& [name, t] : state_->tools) items.insert_or_assign(name, t->listing);
  }
  return paginate(items, params, "tools", state_->cfg.page_size);
}

awaitable<result<json::value>> server_session::call_tool(request_context& ctx, const json::value& params) {
  auto name = string_param(params, "name");
  if (!name) co_return invalid_params("tools/call: name must be a string");
  json::object args;
  if (const auto* a = params_object(params).if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object()) co_return invalid_params("tools/call: arguments must be an object");
    args = a->get_object();
  }
  std::shared_ptr<const native_tool> native;
  {
    std::lock_guard lock(state_->mutex);
    if (auto it = state_->tools.find(*name); it != state_->tools.end()) native = it->second;
  }
  if (native) {
    auto valid = native->input.validate(args);
    if (!valid) co_return call_result(std::move(valid).error());
    tool_context tc(ctx);
    auto outcome = co_await native->handler(std::move(args), tc);
    co_return call_result(std::move(outcome));
  }
  if (state_->registry && state_->registry->find(*name)) {
    tools::call_options opts;
    opts.caller = ctx.owner().settings().name;
    auto outcome = co_await state_->registry->call(*name, std::move(args), std::move(opts));
    if (!outcome && outcome.error().is(errc::not_found)) co_return invalid_params("unknown tool: " + *name);
    co_return call_result(std::move(outcome));
  }
  co_return invalid_params("unknown tool: " + name->substr(0, 128));
}

awaitable<result<json::value>> server_session::read_resource(const json::value& params) {
  auto uri = string_param(params, "uri");
  if (!uri) co_return invalid_params("resources/read: uri must be a string");
  resource_reader reader;
  std::map<std::string, std::string> vars;
  {
    std::lock_guard lock(state_->mutex);
    if (auto it = state_->resources.find(*uri); it != state_->resources.end()) {
      reader = it->second->read;
    } else {
      for (const auto& t : state_->templates) {
        if (auto m = t->matcher.match(*uri)) {
          reader = t->read;
          vars = std::move(*m);
          break;
        }
      }
    }
  }
  if (!reader) co_return rpc_error(code::resource_not_found, "resource not found: " + uri->substr(0, 256));
  auto contents = co_await reader(*uri, std::move(vars));
  if (!contents) {
    if (contents.error().is(errc::not_found))
      co_return rpc_error(code::resource_not_found, contents.error().message);
    co_return std::move(contents).error();
  }
  json::object out;
  out["contents"] = std::move(*contents);
  co_return json::value(std::move(out));
}

result<json::value> server_session::subscribe(const json::value& params, bool on) {
  auto uri = string_param(params, "uri");
  if (!uri) return invalid_params("uri must be a string");
  if (on) {
    if (subscriptions_.size() >= 1024 && !subscriptions_.contains(*uri))
      return rpc_error(code::internal_error, "too many subscriptions (limit 1024)");
    subscriptions_.insert(*uri);
  } else {
    subscriptions_.erase(*uri);
  }
  return json::value(json::object());
}

awaitable<result<json::value>> server_session::get_prompt(const json::value& params) {
  auto name = string_param(params, "name");
  if (!name) co_return invalid_params("prompts/get: name must be a string");
  std::shared_ptr<const prompt_entry> entry;
  {
    std::lock_guard lock(state_->mutex);
    if (auto it = state_->prompts.find(*name); it != state_->prompts.end()) entry = it->second;
  }
  if (!entry) co_return invalid_params("unknown prompt: " + name->substr(0, 128));
  std::map<std::string, std::string> args;
  if (const auto* a = params_object(params).if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object()) co_return invalid_params("prompts/get: arguments must be an object");
    for (const auto& [k, v] : a->get_object()) {
      if (!v.is_string()) co_return invalid_params("prompts/get: argument " + std::string(k) + " must be a string");
      args.emplace(std::string(k), std::string(v.get_string()));
    }
  }
  for (const auto& arg : entry->def.arguments)
    if (arg.required && !args.contains(arg.name))
      co_return invalid_params("prompts/get: missing required argument " + arg.name);
  co_return co_await entry->handler(std::move(args));
}

awaitable<result<json::value>> server_session::complete(const json::value& params) {
  completion_handler h;
  {
    std::lock_guard lock(state_->mutex);
    h = state_->completion;
  }
  if (!h) co_return rpc_error(code::method_not_found, "completion is not supported");
  const auto& p = params_object(params);
  completion_request req;
  const auto* ref = p.if_contains("ref");
  const auto* arg = p.if_contains("argument");
  if (!ref || !ref->is_object()) co_return invalid_params("completion/complete: ref must be an object");
  if (!arg || !arg->is_object()) co_return invalid_params("completion/complete: argument must be an object");
  req.ref = ref->get_object();
  auto an = string_param(*arg, "name");
  auto av = string_param(*arg, "value");
  if (!an || !av) co_return invalid_params("completion/complete: argument needs name and value strings");
  req.argument = *an;
  req.value = *av;
  if (const auto* c = p.if_contains("context"); c && c->is_object())
    if (const auto* a = c->get_object().if_contains("arguments"); a && a->is_object())
      for (const auto& [k, v] : a->get_object())
        if (v.is_string()) req.context.emplace(std::string(k), std::string(v.get_string()));
  auto values = co_await h(std::move(req));
  if (!values) co_return std::move(values).error();
  json::array list;
  for (std::size_t i = 0; i < values->size() && i < 100; ++i) list.emplace_back((*values)[i]);
  json::object completion;
  completion["values"] = std::move(list);
  completion["total"] = values->size();
  completion["hasMore"] = values->size() > 100;
  json::object out;
  out["completion"] = std::move(completion);
  co_return json::value(std::move(out));
}

result<json::value> server_session::set_level(const json::value& params) {
  auto text = string_param(params, "level");
  auto level = text ? parse_log_level(*text) : std::nullopt;
  if (!level) return invalid_params("logging/setLevel: level must be one of debug, info, notice, warning, error, critical, alert, emergency");
  level_ = *level;
  return json::value(json::object());
}

json::object log_params(log_level level, json::value data, const std::string& logger) {
  json::object p;
  p["level"] = to_string(level);
  if (!logger.empty()) p["logger"] = logger;
  p["data"] = std::move(data);
  return p;
}

}  // namespace server_detail

// ---- tool_context -------------------------------------------------------------------

void tool_context::log(log_level level, json::value data, std::string logger) const {
  // The session's handler is the server role; its level decides.
  auto* role = dynamic_cast<server_session*>(request_.owner().role());
  if (role && level < role->level()) return;
  (void)request_.notify("notifications/message", log_params(level, std::move(data), logger));
}

bool tool_context::client_supports(std::string_view capability) const {
  const auto* c = client().peer_capabilities().if_contains(capability);
  return c && c->is_object();
}

awaitable<result<json::value>> tool_context::ask(std::string_view capability, std::string method,
                                                 json::value params) const {
  if (!client_supports(capability))
    co_return make_error(errc::unsupported, "the client does not support " + std::string(capability));
  co_return co_await request_.request(std::move(method), std::move(params));
}

awaitable<result<json::value>> tool_context::create_message(json::value params) const {
  co_return co_await ask("sampling", "sampling/createMessage", std::move(params));
}

awaitable<result<json::value>> tool_context::elicit(json::value params) const {
  co_return co_await ask("elicitation", "elicitation/create", std::move(params));
}

awaitable<result<json::value>> tool_context::list_roots() const {
  co_return co_await ask("roots", "roots/list", json::object());
}

// ---- server -------------------------------------------------------------------------

void server::state::for_each_session(std::function<void(server_session&)> fn) {
  std::vector<std::shared_ptr<server_session>> live;
  {
    std::lock_guard lock(mutex);
    for (auto it = sessions.begin(); it != sessions.end();) {
      if (auto s = it->lock()) {
        live.push_back(std::move(s));
        ++it;
      } else {
        it = sessions.erase(it);
      }
    }
  }
  for (auto& role : live) {
    auto s = role->owner.lock();
    if (!s) continue;
    asio::post(s->get_executor(), [role, s, fn] {
      if (!s->closed()) fn(*role);
    });
  }
}

void server::state::list_changed(std::string_view what) {
  std::string method = "notifications/" + std::string(what) + "/list_changed";
  for_each_session([method](server_session& role) {
    auto s = role.owner.lock();
    if (s && s->initialized()) (void)s->notify(method, nullptr);
  });
}

server::server(std::shared_ptr<state> st) : state_(std::move(st)) {}

std::shared_ptr<server> server::create(server_config cfg) { return create(std::move(cfg), nullptr); }

std::shared_ptr<server> server::create(server_config cfg, std::shared_ptr<tools::registry> reg) {
  auto st = std::make_shared<state>();
  st->cfg = std::move(cfg);
  st->registry = std::move(reg);
  if (st->registry) {
    std::weak_ptr<state> weak = st;
    st->registry_listener = st->registry->on_change([weak] {
      if (auto s = weak.lock()) s->list_changed("tools");
    });
  }
  return std::shared_ptr<server>(new server(std::move(st)));
}

server::~server() {
  if (state_->registry) state_->registry->remove_listener(state_->registry_listener);
}

const server_config& server::settings() const noexcept { return state_->cfg; }

result<void> server::add_tool(tool def, tool_handler h) {
  if (!valid_tool_name(def.name))
    return make_error(errc::invalid_argument, "tool name \"" + def.name + "\" must be 1-128 of [A-Za-z0-9_.-]");
  if (def.input_schema.empty()) def.input_schema["type"] = "object";
  AP_TRY(auto compiled, tools::schema::compile(def.input_schema));
  auto entry = std::make_shared<native_tool>();
  entry->listing["name"] = def.name;
  put_if(entry->listing, "title", def.title);
  entry->listing["description"] = def.description;
  entry->listing["inputSchema"] = def.input_schema;
  if (def.output_schema) entry->listing["outputSchema"] = *def.output_schema;
  if (def.annotations) entry->listing["annotations"] = *def.annotations;
  entry->input = std::move(compiled);
  entry->handler = std::move(h);
  {
    std::lock_guard lock(state_->mutex);
    if (state_->tools.contains(def.name)) return make_error(errc::already_exists, "tool " + def.name + " exists");
    state_->tools.emplace(def.name, std::move(entry));
  }
  state_->list_changed("tools");
  return ok();
}

bool server::remove_tool(std::string_view name) {
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->tools.find(name);
    if (it == state_->tools.end()) return false;
    state_->tools.erase(it);
  }
  state_->list_changed("tools");
  return true;
}

result<void> server::add_resource(resource r, resource_reader read) {
  if (r.uri.empty() || r.name.empty()) return make_error(errc::invalid_argument, "a resource needs a uri and a name");
  auto entry = std::make_shared<static_resource>();
  entry->listing["uri"] = r.uri;
  entry->listing["name"] = r.name;
  put_if(entry->listing, "title", r.title);
  put_if(entry->listing, "description", r.description);
  put_if(entry->listing, "mimeType", r.mime_type);
  entry->read = std::move(read);
  {
    std::lock_guard lock(state_->mutex);
    if (state_->resources.contains(r.uri)) return make_error(errc::already_exists, "resource " + r.uri + " exists");
    state_->resources.emplace(r.uri, std::move(entry));
  }
  state_->list_changed("resources");
  return ok();
}

bool server::remove_resource(std::string_view uri) {
  {
    std::lock_guard lock(state_->mutex);
    auto it = state_->resources.find(uri);
    if (it == state_->resources.end()) return false;
    state_->resources.erase(it);
  }
  state_->list_changed("resources");
  return true;
}

result<void> server::add_resource_template(resource_template t, resource_reader read) {
  if (t.name.empty()) return make_error(errc::invalid_argument, "a resource template needs a name");
  AP_TRY(auto matcher, uri_template::parse(t.uri_template));
  auto entry = std::make_shared<template_entry>();
  entry->listing["uriTemplate"] = t.uri_template;
  entry->listing["name"] = t.name;
  put_if(entry->listing, "title", t.title);
  put_if(entry->listing, "description", t.description);
  put_if(entry->listing, "mimeType", t.mime_type);
  entry->matcher = std::move(matcher);
  entry->read = std::move(read);
  {
    std::lock_guard lock(state_->mutex);
    state_->templates.push_back(std::move(entry));
  }
  state_->list_changed("resources");
  return ok();
}

result<void> server::add_prompt(prompt p, prompt_handler h) {
  if (p.name.empty()) return make_error(errc::invalid_argument, "a prompt needs a name");
  auto entry = std::make_shared<prompt_entry>();
  entry->listing["name"] = p.name;
  put_if(entry->listing, "title", p.title);
  put_if(entry->listing, "description", p.description);
  if (!p.arguments.empty()) {
    json::array args;
    for (const auto& a : p.arguments) {
      json::object o;
      o["name"] = a.name;
      put_if(o, "description", a.description);
      o["required"] = a.required;
      args.push_back(std::move(o));
    }
    entry->listing["arguments"] = std::move(args);
  }
  entry->def = std::move(p);
  entry->handler = std::move(h);
  {
    std::lock_guard lock(state_->mutex);
    if (state_->prompts.contains(entry->def.name))
      return make_error(errc::already_exists, "prompt " + entry->def.name + " exists");
    state_->prompts.emplace(entry->def.name, std::move(entry));
  }
  state_->list_changed("prompts");
  return ok();
}

void server::set_completion_handler(completion_handler h) {
  std::lock_guard lock(state_->mutex);
  state_->completion = std::move(h);
}

void server::resource_updated(std::string_view uri) {
  std::string u(uri);
  state_->for_each_session([u](server_session& role) {
    if (!role.subscribed(u)) return;
    auto s = role.owner.lock();
    json::object p;
    p["uri"] = u;
    if (s) (void)s->notify("notifications/resources/updated", std::move(p));
  });
}

void server::log(log_level level, json::value data, std::string logger) {
  state_->for_each_session([level, data, logger](server_session& role) {
    auto s = role.owner.lock();
    if (s && s->initialized() && level >= role.level())
      (void)s->notify("notifications/message", log_params(level, data, logger));
  });
}

std::shared_ptr<session> server::open_session(std::unique_ptr<transport> t, session_config cfg) {
  auto role = std::make_shared<server_session>(state_);
  auto s = session::create(std::move(t), role, std::move(cfg));
  role->owner = s;
  std::lock_guard lock(state_->mutex);
  state_->sessions.remove_if([](const std::weak_ptr<server_session>& w) { return w.expired(); });
  state_->sessions.push_back(role);
  return s;
}

awaitable<void> server::serve(std::unique_ptr<transport> t) {
  co_await serve(std::move(t), state_->cfg.session);
}

awaitable<void> server::serve(std::unique_ptr<transport> t, session_config cfg) {
  auto s = open_session(std::move(t), std::move(cfg));
  co_await s->run();
}

namespace {

// The client half of execute(): one request, its response, then the end.
awaitable<result<json::value>> ask_once(transport& t, std::string method, json::value params) {
  auto sent = co_await t.send(make_request(json::value(1), method, std::move(params)), json::value());
  result<json::value> out = make_error(errc::closed, "no response");
  if (sent) {
    for (int i = 0; i < 1000; ++i) {  // skip notifications the handler sends
      auto m = co_await t.receive();
      if (!m) {
        out = std::move(m).error();
        break;
      }
      const auto* o = m->if_object();
      if (!o || !o->contains("id") || o->contains("method")) continue;
      if (const auto* err = o->if_contains("error")) out = from_error_object(*err);
      else out = o->contains("result") ? o->at("result") : json::value();
      break;
    }
  }
  co_await t.close();
  co_return out;
}

}  // namespace

awaitable<result<json::value>> server::execute(std::string method, json::value params) {
  using namespace asio::experimental::awaitable_operators;
  auto ex = co_await asio::this_coro::executor;
  auto [ours, theirs] = make_memory_pair(ex);
  session_config cfg = state_->cfg.session;
  cfg.require_initialize = false;
  cfg.name = "mcp execute";
  auto s = open_session(std::move(theirs), cfg);
  auto both = co_await (s->run() && ask_once(*ours, std::move(method), std::move(params)));
  co_return std::move(both);
}

std::size_t server::session_count() const {
  std::lock_guard lock(state_->mutex);
  return static_cast<std::size_t>(
      std::count_if(state_->sessions.begin(), state_->sessions.end(), [](const auto& w) { return !w.expired(); }));
}

}  // namespace agentp2p::mcp
