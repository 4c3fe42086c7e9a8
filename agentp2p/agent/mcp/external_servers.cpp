#include "agentp2p/agent/mcp/external_servers.hpp"

#include <algorithm>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/mcp/http_client.hpp"
#include "agentp2p/agent/mcp/stdio_client.hpp"
#include "agentp2p/agent/tools/registry.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/run_on.hpp"
#include "agentp2p/http/message.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;
using clock = std::chrono::steady_clock;

std::string_view to_string(external_state s) noexcept {
  switch (s) {
    case external_state::starting: return "starting";
    case external_state::ready: return "ready";
    case external_state::restarting: return "restarting";
    case external_state::stopped: return "stopped";
  }
  return "?";
}

std::string external_tool_name(std::string_view server, std::string_view tool) {
  std::string out;
  out.reserve(server.size() + 1 + tool.size());
  out.append(server);
  out.push_back('.');
  out.append(tool);
  for (auto& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  if (out.size() > 128) out.resize(128);
  return out;
}

std::string check_external_server(const external_server_config& c) {
  if (c.name.empty() || c.name.size() > 64) return "an MCP server name must be 1-64 characters";
  for (char ch : c.name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'))
      return "MCP server name \"" + c.name + "\" may only use letters, digits, '_' and '-'";
  const std::string who = "MCP server \"" + c.name + "\": ";
  if (c.command.empty() == c.url.empty()) return who + "set either a command (stdio) or a url";
  if (!c.url.empty()) {
    std::string why;
    if (!http::parse_url(c.url, &why)) return who + "bad url: " + why;
  }
  if (c.expose != "none" && c.expose != "all" && c.expose != "peers")
    return who + "expose must be none, all or peers";
  return {};
}

// One configured server.
struct external_servers::server {
  external_server_config cfg;
  external_status status;
  std::shared_ptr<client> live;        // connected and listed
  std::shared_ptr<client> connecting;  // between start and ready
  std::map<std::string, std::string> registered;  // registry name → the server's tool name
  asio::steady_timer* wait = nullptr;  // died / backoff / closing wake-up
  void wake() {
    if (wait) wait->cancel();
  }
};

namespace {

// The registry's policy hides external tools from peers unless exposed.
tools::exposure exposure_of(const external_server_config& cfg) {
  if (cfg.expose == "all") return tools::exposure::everyone();
  if (cfg.expose == "peers") return tools::exposure::only(cfg.expose_peers);
  return tools::exposure::nobody();
}

bool exposed_to(const external_server_config& cfg, std::string_view caller) {
  if (caller.empty()) return true;  // local callers
  if (cfg.expose == "all") return true;
  if (cfg.expose == "peers") return std::find(cfg.expose_peers.begin(), cfg.expose_peers.end(), caller) != cfg.expose_peers.end();
  return false;
}

result<std::unique_ptr<transport>> open_transport(executor ex, const external_server_config& cfg,
                                                  std::shared_ptr<const stdio_child_info>* child) {
  auto kind = cfg.transport;
  if (kind == external_transport::automatic) {
    if (!cfg.command.empty()) kind = external_transport::stdio;
    else {
      auto path = cfg.url.substr(0, cfg.url.find('?'));
      kind = path.ends_with("/sse") ? external_transport::legacy_sse : external_transport::streamable_http;
    }
  }
  if (kind == external_transport::stdio) {
    stdio_server_params p;
    p.command = cfg.command;
    p.args = cfg.args;
    p.env = cfg.env;
    p.cwd = cfg.cwd;
    p.name = cfg.name;
    p.line.max_line = cfg.max_line;
    AP_TRY(auto h, spawn_stdio_server(ex, std::move(p)));
    *child = h.child;
    return std::move(h.transport);
  }
  http_client_params p;
  p.url = cfg.url;
  p.headers = cfg.headers;
  p.name = cfg.name;
  p.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.connect_timeout);
  p.request_timeout = cfg.call_timeout;
  p.max_message = cfg.max_line;
  if (kind == external_transport::legacy_sse) return make_legacy_sse_transport(ex, std::move(p));
  return make_streamable_http_transport(ex, std::move(p));
}

awaitable<void> sleep_or_wake(external_servers::server& s, executor ex, clock::duration d) {
  asio::steady_timer t(ex, d);
  s.wait = &t;
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  s.wait = nullptr;
}

// The text of a CallToolResult's content, for errors.
std::string content_text(const json::object& r) {
  std::string out;
  if (const auto* c = r.if_contains("content"); c && c->is_array())
    for (const auto& item : c->get_array())
      if (const auto* o = item.if_object())
        if (const auto* t = o->if_contains("text"); t && t->is_string()) {
          if (!out.empty()) out += "\n";
          out += t->get_string();
        }
  return out.empty() ? std::string("the tool failed") : out;
}

// On the manager's executor: the call itself.
awaitable<result<json::value>> call_on_manager(std::weak_ptr<external_servers::server> weak, std::string tool,
                                               json::object args, clock::duration timeout) {
  auto s = weak.lock();
  if (!s) co_return make_error(errc::not_found, "the MCP server is gone");
  auto c = s->live;
  if (!c || !c->connected())
    co_return make_error(errc::unsupported, "MCP server \"" + s->cfg.name + "\" is not running (" +
                                                std::string(to_string(s->status.state)) + ")");
  call_options opts;
  opts.timeout = timeout;
  AP_CO_TRY(auto r, co_await c->call_tool(std::move(tool), std::move(args), opts));
  const auto& o = r.get_object();
  if (const auto* e = o.if_contains("isError"); e && e->is_bool() && e->get_bool())
    co_return make_error(errc::io_error, content_text(o));
  co_return r;
}

// The registry handler (runs on the registry's workers): checks exposure,
// then hops to the manager's executor for the call.
awaitable<result<json::value>> call_external(executor manager_ex, std::weak_ptr<external_servers::server> weak,
                                             external_server_config cfg, std::string tool, json::object args,
                                             tools::call_context& ctx) {
  if (!exposed_to(cfg, ctx.caller()))
    co_return make_error(errc::not_found, "unknown tool " + external_tool_name(cfg.name, tool));
  auto left = ctx.deadline() - clock::now();
  auto timeout = std::min<clock::duration>(cfg.call_timeout, left);
  // Our cancellation (the registry cancelling this handler: its caller went
  // away or gave up) reaches the call on the manager's executor through
  // run_on; the client then sends the server notifications/cancelled.
  co_return co_await run_on(manager_ex, call_on_manager(std::move(weak), std::move(tool), std::move(args), timeout));
}

}  // namespace

external_servers::external_servers(executor ex, std::shared_ptr<tools::registry> reg)
    : executor_(ex), registry_(std::move(reg)), tasks_(ex) {}

external_servers::~external_servers() {
  closing_ = true;
  for (auto& s : servers_) unregister_tools(*s);
  tasks_.cancel();
}

result<std::shared_ptr<external_servers>> external_servers::start(executor ex, std::shared_ptr<tools::registry> reg,
                                                                  std::vector<external_server_config> servers) {
  std::set<std::string> names;
  for (const auto& c : servers) {
    if (auto why = check_external_server(c); !why.empty()) return make_error(errc::invalid_argument, why);
    if (!names.insert(c.name).second)
      return make_error(errc::invalid_argument, "MCP server \"" + c.name + "\" is configured twice");
  }
  std::shared_ptr<external_servers> m(new external_servers(ex, std::move(reg)));
  for (auto& c : servers) {
    auto s = std::make_shared<server>();
    s->status.name = c.name;
    s->cfg = std::move(c);
    m->servers_.push_back(s);
    m->tasks_.spawn(run_server(m, s), "mcp server " + s->cfg.name);
  }
  return m;
}

void external_servers::on_change(std::function<void(const external_status&)> l) { listeners_.push_back(std::move(l)); }

void external_servers::changed(const server& s) {
  auto ls = listeners_;
  for (auto& l : ls) l(s.status);
}

std::vector<external_status> external_servers::status() const {
  std::vector<external_status> out;
  for (const auto& s : servers_) out.push_back(s->status);
  return out;
}

std::shared_ptr<client> external_servers::client_of(std::string_view name) const {
  for (const auto& s : servers_)
    if (s->cfg.name == name) return s->live;
  return nullptr;
}

void external_servers::register_tools(server& s) {
  if (!s.live || closing_) return;
  std::map<std::string, std::string> now;  // registry name → tool name
  for (const auto& t : s.live->tools()) {
    auto name = external_tool_name(s.cfg.name, t.name);
    // Two tools that sanitize alike: the later one gets a numbered name.
    for (int n = 2; now.contains(name); ++n) {
      auto suffix = "_" + std::to_string(n);
      name = external_tool_name(s.cfg.name, t.name).substr(0, 128 - suffix.size()) + suffix;
    }
    now[name] = t.name;
  }
  for (auto it = s.registered.begin(); it != s.registered.end();) {
    if (!now.contains(it->first)) {
      registry_->remove(it->first);
      it = s.registered.erase(it);
    } else {
      ++it;
    }
  }
  std::weak_ptr<server> weak;
  for (auto& sp : servers_)
    if (sp.get() == &s) weak = sp;
  for (const auto& t : s.live->tools()) {
    std::string reg_name;
    for (const auto& [rn, tn] : now)
      if (tn == t.name) reg_name = rn;
    tools::tool_definition def;
    def.name = reg_name;
    def.description = t.description.empty() ? t.title : t.description;
    def.input_schema = t.input_schema;
    if (def.input_schema.empty()) def.input_schema["type"] = "object";
    def.annotations = t.annotations;
    def.origin = tools::tool_origin::external;
    auto ex = executor_;
    auto cfg = s.cfg;
    std::string tool_name = t.name;
    tools::handler h = [ex, weak, cfg, tool_name](json::object args, tools::call_context& ctx) {
      return call_external(ex, weak, cfg, tool_name, std::move(args), ctx);
    };
    registry_->set_tool_exposure(reg_name, exposure_of(s.cfg));
    result<void> added = s.registered.contains(reg_name) ? registry_->add_or_replace(def, h) : registry_->add(def, h);
    if (!added && added.error().is(errc::invalid_argument)) {
      // A schema our validator cannot compile: accept any object rather than lose the tool.
      log::warn("mcp " + s.cfg.name + ": tool " + t.name + ": " + added.error().message + "; its arguments go unchecked");
      def.input_schema = json::object();
      def.input_schema["type"] = "object";
      added = s.registered.contains(reg_name) ? registry_->add_or_replace(def, h) : registry_->add(def, h);
    }
    if (!added) {
      if (!s.registered.contains(reg_name)) registry_->set_tool_exposure(reg_name, std::nullopt);
      log::warn("mcp " + s.cfg.name + ": cannot register tool " + reg_name + ": " + added.error().message);
      continue;
    }
    s.registered[reg_name] = t.name;
  }
  s.status.tools.clear();
  for (const auto& [rn, tn] : s.registered) s.status.tools.push_back(rn);
}

void external_servers::unregister_tools(server& s) {
  for (const auto& [rn, tn] : s.registered) {
    registry_->remove(rn);
    registry_->set_tool_exposure(rn, std::nullopt);
  }
  s.registered.clear();
  s.status.tools.clear();
}

awaitable<void> external_servers::run_server(std::shared_ptr<external_servers> self, std::shared_ptr<server> s) {
  auto ex = self->executor_;
  auto backoff = std::chrono::duration_cast<clock::duration>(s->cfg.initial_backoff);
  const auto max_backoff = std::chrono::duration_cast<clock::duration>(s->cfg.max_backoff);
  while (!self->closing_) {
    ++s->status.starts;
    std::shared_ptr<const stdio_child_info> child;
    auto t = open_transport(ex, s->cfg, &child);
    clock::time_point up_since{};
    bool was_ready = false;
    if (!t) {
      s->status.last_error = t.error().message;
      log::warn("mcp " + s->cfg.name + ": " + t.error().message);
    } else {
      s->status.pid = child ? child->pid : -1;
      client_config cc;
      cc.info.name = "agentp2p";
      cc.connect_timeout = s->cfg.connect_timeout;
      cc.request_timeout = s->cfg.call_timeout;
      cc.session.name = "mcp " + s->cfg.name;
      auto c = client::create(std::move(*t), cc);
      s->connecting = c;
      std::weak_ptr<server> ws = s;
      std::weak_ptr<external_servers> wm = self;
      c->on_closed([ws] {
        if (auto sp = ws.lock()) sp->wake();
      });
      c->on_tools_changed([ws, wm](const std::vector<tool>&) {
        auto sp = ws.lock();
        auto mp = wm.lock();
        if (!sp || !mp || !sp->live) return;
        mp->register_tools(*sp);
        log::info("mcp " + sp->cfg.name + ": tools changed; " + std::to_string(sp->registered.size()) + " registered");
        mp->changed(*sp);
      });
      auto info = co_await c->connect();
      result<std::vector<tool>> listed = make_error(errc::closed, "not connected");
      if (info) listed = co_await c->list_tools();
      s->connecting.reset();
      if (!info || !listed) {
        auto e = info ? listed.error() : info.error();
        std::string extra;
        if (child && child->garbage_lines > 0)
          extra = " (it printed " + std::to_string(child->garbage_lines) + " non-JSON lines, the last: " +
                  child->last_garbage + ")";
        if (child && child->exited) extra += " (the process " + child->describe() + ")";
        s->status.last_error = e.message + extra;
        log::warn("mcp " + s->cfg.name + ": " + s->status.last_error);
      } else if (!self->closing_) {
        s->live = c;
        self->register_tools(*s);
        s->status.state = external_state::ready;
        s->status.last_error.clear();
        log::info("mcp " + s->cfg.name + ": ready (" + info->info.name + " " + info->info.version + ", MCP " +
                  info->protocol_version + ", " + std::to_string(s->registered.size()) + " tools)");
        self->changed(*s);
        up_since = clock::now();
        was_ready = true;
        // Until it dies or we stop.
        while (!c->closed() && !self->closing_) co_await sleep_or_wake(*s, ex, std::chrono::hours(24));
        s->live.reset();
        self->unregister_tools(*s);
        if (!self->closing_) {
          s->status.state = external_state::restarting;
          s->status.last_error = "the server went away";
          if (child && child->exited) s->status.last_error = "the server process " + child->describe();
          log::warn("mcp " + s->cfg.name + ": " + s->status.last_error + "; its tools are withdrawn");
          ++s->status.restarts;
        }
        self->changed(*s);
      }
      co_await c->close();
    }
    if (self->closing_) break;
    s->status.state = external_state::restarting;
    if (was_ready && clock::now() - up_since >= s->cfg.stable_after) backoff = s->cfg.initial_backoff;
    co_await sleep_or_wake(*s, ex, backoff);
    backoff = std::min(backoff * 2, max_backoff);
  }
  s->status.state = external_state::stopped;
  s->status.pid = -1;
}

awaitable<void> external_servers::close() {
  auto self = shared_from_this();
  if (closing_) co_return;
  closing_ = true;
  for (auto& s : servers_) {
    unregister_tools(*s);
    if (s->connecting) s->connecting->raw_session().close();
    s->wake();
  }
  co_await tasks_.join();
}

}  // namespace agentp2p::mcp
