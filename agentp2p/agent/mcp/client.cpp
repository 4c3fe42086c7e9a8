#include "agentp2p/agent/mcp/client.hpp"

#include <boost/json/serialize.hpp>

#include "agentp2p/base/log.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

namespace {

std::string string_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

result<tool> tool_from_json(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return make_error(errc::decode_error, "a tool must be an object");
  tool t;
  t.name = string_field(*o, "name");
  // Servers in the wild use names outside MCP's rule (spaces, '/'): keep
  // anything printable and bounded; callers that re-expose it sanitize it.
  if (t.name.empty() || t.name.size() > 256) return make_error(errc::decode_error, "a tool needs a name (1-256 characters)");
  t.title = string_field(*o, "title");
  t.description = string_field(*o, "description");
  if (const auto* s = o->if_contains("inputSchema"); s && s->is_object()) t.input_schema = s->get_object();
  if (const auto* s = o->if_contains("outputSchema"); s && s->is_object()) t.output_schema = s->get_object();
  if (const auto* a = o->if_contains("annotations"); a && a->is_object()) t.annotations = a->get_object();
  return t;
}

// ---- the session handler ---------------------------------------------------------------

struct client::role final : handler {
  std::weak_ptr<client> owner;
  std::map<std::string, client_request_handler, std::less<>> handlers;

  awaitable<result<json::value>> on_request(request_context& ctx, json::value params) override {
    auto self = owner.lock();
    if (ctx.method() == "roots/list" && self && self->has_roots_) {
      json::array roots;
      for (const auto& r : self->roots_) {
        json::object o;
        o["uri"] = r.uri;
        if (!r.name.empty()) o["name"] = r.name;
        roots.push_back(std::move(o));
      }
      json::object out;
      out["roots"] = std::move(roots);
      co_return json::value(std::move(out));
    }
    auto it = handlers.find(ctx.method());
    if (it == handlers.end())
      co_return rpc_error(code::method_not_found, "this client does not support " + ctx.method());
    auto h = it->second;  // the map may change while the handler runs
    co_return co_await h(std::move(params));
  }

  void on_notification(session&, std::string_view method, const json::value& params) override {
    auto self = owner.lock();
    if (!self) return;
    if (method == "notifications/progress") {
      const auto* p = params.if_object();
      const auto* tok = p ? p->if_contains("progressToken") : nullptr;
      if (!tok) return;
      auto it = self->progress_.find(id_key(*tok));
      if (it == self->progress_.end() || !it->second) return;
      auto number = [&](std::string_view k) {
        const auto* v = p->if_contains(k);
        if (!v) return -1.0;
        if (v->is_double()) return v->get_double();
        if (v->is_int64()) return static_cast<double>(v->get_int64());
        if (v->is_uint64()) return static_cast<double>(v->get_uint64());
        return -1.0;
      };
      auto cb = it->second;
      cb(number("progress"), number("total"), string_field(*p, "message"));
      return;
    }
    if (method == "notifications/tools/list_changed") {
      self->tasks_.spawn(refresh_tools(self), self->config_.session.name + " tools refresh");
      return;
    }
    auto listeners = self->notification_listeners_;
    for (auto& l : listeners) l(method, params);
  }
};

// ---- client --------------------------------------------------------------------------------

client::client(std::unique_ptr<transport> t, client_config cfg)
    : executor_(t->get_executor()), config_(std::move(cfg)), role_(std::make_shared<role>()), tasks_(executor_) {
  session_config sc = config_.session;
  sc.request_timeout = config_.request_timeout;
  session_ = session::create(std::move(t), role_, sc);
}

std::shared_ptr<client> client::create(std::unique_ptr<transport> t, client_config cfg) {
  std::shared_ptr<client> c(new client(std::move(t), std::move(cfg)));
  c->role_->owner = c;
  return c;
}

client::~client() { session_->close(); }

void client::set_roots(std::vector<root> roots) {
  roots_ = std::move(roots);
  has_roots_ = true;
  if (connected_) (void)session_->notify("notifications/roots/list_changed", nullptr);
}

void client::set_request_handler(std::string method, client_request_handler h) {
  role_->handlers[std::move(method)] = std::move(h);
}

void client::on_tools_changed(tools_listener l) { tools_listeners_.push_back(std::move(l)); }
void client::on_notification(notification_listener l) { notification_listeners_.push_back(std::move(l)); }
void client::on_closed(closed_listener l) { closed_listeners_.push_back(std::move(l)); }

json::object client::initialize_params() const {
  json::object caps;
  if (has_roots_) {
    json::object r;
    r["listChanged"] = true;
    caps["roots"] = std::move(r);
  }
  if (role_->handlers.contains("sampling/createMessage")) caps["sampling"] = json::object();
  if (role_->handlers.contains("elicitation/create")) caps["elicitation"] = json::object();
  json::object info;
  info["name"] = config_.info.name;
  info["version"] = config_.info.version;
  if (!config_.info.title.empty()) info["title"] = config_.info.title;
  json::object p;
  p["protocolVersion"] = config_.protocol_version;
  p["capabilities"] = std::move(caps);
  p["clientInfo"] = std::move(info);
  return p;
}

awaitable<void> client::run_session(std::shared_ptr<client> self) {
  auto s = self->session_;
  co_await s->run();
  self->session_ended();
}

void client::session_ended() {
  if (closed_) return;
  closed_ = true;
  progress_.clear();
  auto listeners = closed_listeners_;
  for (auto& l : listeners) l();
}

awaitable<result<server_description>> client::connect() {
  if (started_) co_return make_error(errc::invalid_argument, config_.session.name + ": connect() called twice");
  started_ = true;
  tasks_.spawn(run_session(shared_from_this()), config_.session.name + " session");
  auto params = initialize_params();
  auto r = co_await session_->request("initialize", json::value(std::move(params)), config_.connect_timeout,
                                      json::value());
  if (!r) {
    auto e = std::move(r).error();
    e.message = config_.session.name + ": initialize failed: " + e.message;
    session_->close();
    co_return e;
  }
  const auto* o = r->if_object();
  const auto* pv = o ? o->if_contains("protocolVersion") : nullptr;
  if (!pv || !pv->is_string()) {
    session_->close();
    co_return make_error(errc::protocol_error, config_.session.name + ": initialize result without protocolVersion");
  }
  server_description d;
  d.protocol_version = std::string(pv->get_string());
  if (!is_supported_version(d.protocol_version)) {
    session_->close();
    co_return make_error(errc::unsupported,
                         config_.session.name + ": the server speaks MCP " + d.protocol_version + ", which we do not");
  }
  if (const auto* c = o->if_contains("capabilities"); c && c->is_object()) d.capabilities = c->get_object();
  json::object peer_info;
  if (const auto* i = o->if_contains("serverInfo"); i && i->is_object()) {
    peer_info = i->get_object();
    d.info.name = string_field(peer_info, "name");
    d.info.version = string_field(peer_info, "version");
    d.info.title = string_field(peer_info, "title");
  }
  d.instructions = string_field(*o, "instructions");
  session_->set_initialized(d.protocol_version, d.capabilities, std::move(peer_info));
  server_ = d;
  AP_CO_TRYV(session_->notify("notifications/initialized", nullptr));
  connected_ = true;
  co_return d;
}

awaitable<result<std::vector<tool>>> client::list_tools() {
  std::vector<tool> out;
  std::string cursor;
  for (std::size_t page = 0;; ++page) {
    if (page >= config_.max_pages)
      co_return make_error(errc::limit_exceeded, config_.session.name + ": tools/list has more than " +
                                                     std::to_string(config_.max_pages) + " pages");
    json::object params;
    if (!cursor.empty()) params["cursor"] = cursor;
    AP_CO_TRY(auto r, co_await session_->request("tools/list", json::value(std::move(params))));
    const auto* o = r.if_object();
    const auto* list = o ? o->if_contains("tools") : nullptr;
    if (!list || !list->is_array())
      co_return make_error(errc::protocol_error, config_.session.name + ": tools/list result without a tools array");
    for (const auto& item : list->get_array()) {
      auto t = tool_from_json(item);
      if (!t) {
        log::warn(config_.session.name + ": skipping a tool: " + t.error().message);
        continue;
      }
      if (out.size() >= config_.max_tools)
        co_return make_error(errc::limit_exceeded, config_.session.name + ": more than " +
                                                       std::to_string(config_.max_tools) + " tools");
      out.push_back(std::move(*t));
    }
    const auto* next = o->if_contains("nextCursor");
    if (!next || !next->is_string() || next->get_string().empty()) break;
    std::string n(next->get_string());
    if (n == cursor) co_return make_error(errc::protocol_error, config_.session.name + ": tools/list repeats its cursor");
    cursor = std::move(n);
  }
  tools_ = out;
  co_return out;
}

awaitable<void> client::refresh_tools(std::weak_ptr<client> weak) {
  auto self = weak.lock();
  if (!self) co_return;
  // One refresh at a time; a change announced meanwhile refreshes once more.
  if (self->refreshing_) {
    self->refresh_again_ = true;
    co_return;
  }
  self->refreshing_ = true;
  do {
    self->refresh_again_ = false;
    auto r = co_await self->list_tools();
    if (!r) {
      log::warn(self->config_.session.name + ": refreshing tools failed: " + r.error().what());
      break;
    }
    auto listeners = self->tools_listeners_;
    for (auto& l : listeners) l(self->tools_);
  } while (self->refresh_again_ && !self->closed_);
  self->refreshing_ = false;
}

awaitable<result<json::value>> client::call_tool(std::string name, json::object arguments) {
  co_return co_await call_tool(std::move(name), std::move(arguments), call_options());
}

namespace {
// Removes a progress registration however the call ends.
struct progress_guard {
  progress_guard(std::map<std::string, progress_callback>& m, std::string k) : map(m), key(std::move(k)) {}
  ~progress_guard() {
    if (!key.empty()) map.erase(key);
  }
  std::map<std::string, progress_callback>& map;
  std::string key;
};
}  // namespace

awaitable<result<json::value>> client::call_tool(std::string name, json::object arguments, call_options opts) {
  auto self = shared_from_this();
  json::object params;
  params["name"] = name;
  params["arguments"] = std::move(arguments);
  std::string key;
  if (opts.on_progress) {
    json::value token("p" + std::to_string(next_token_++));
    key = id_key(token);
    progress_[key] = std::move(opts.on_progress);
    json::object meta;
    meta["progressToken"] = token;
    params["_meta"] = std::move(meta);
  }
  progress_guard guard(progress_, key);
  auto timeout = opts.timeout.value_or(config_.request_timeout);
  AP_CO_TRY(auto r, co_await session_->request("tools/call", json::value(std::move(params)), timeout, json::value()));
  if (!r.is_object()) co_return make_error(errc::protocol_error, config_.session.name + ": tools/call result is not an object");
  co_return r;
}

awaitable<result<void>> client::ping() {
  AP_CO_TRY(auto r, co_await session_->request("ping", json::value(json::object())));
  (void)r;
  co_return ok();
}

awaitable<result<json::value>> client::request(std::string method, json::value params) {
  co_return co_await session_->request(std::move(method), std::move(params));
}

awaitable<result<json::value>> client::request(std::string method, json::value params, duration timeout) {
  co_return co_await session_->request(std::move(method), std::move(params), timeout, json::value());
}

awaitable<void> client::close() {
  auto self = shared_from_this();
  session_->close();
  co_await tasks_.join();
  session_ended();
}

}  // namespace agentp2p::mcp
