#include "agentp2p/daemon/service.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/a2a/types.hpp"
#include "agentp2p/agent/a2a_http/http_binding.hpp"
#include "agentp2p/agent/mcp/streamable_http.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/daemon/api.hpp"
#include "agentp2p/daemon/dashboard.hpp"
#include "agentp2p/daemon/http_mount.hpp"
#include "agentp2p/daemon/node_config.hpp"
#include "agentp2p/base/counters.hpp"
#include "agentp2p/host/bootstrap.hpp"
#include "agentp2p/host/connection_manager.hpp"
#include "agentp2p/http/server.hpp"
#include "agentp2p/protocols/mdns/mdns.hpp"
#include "agentp2p/protocols/mdns/network_interfaces.hpp"
#include "agentp2p/transport/tcp/socket_stream.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

std::string direction_name(host::direction d) { return d == host::direction::inbound ? "inbound" : "outbound"; }

// errc names for metric labels and events: a short fixed set.
std::string outcome(const std::error_code& ec) {
  if (!ec) return "ok";
  if (ec.category() == agentp2p_category()) {
    switch (static_cast<errc>(ec.value())) {
      case errc::timeout: return "timeout";
      case errc::cancelled: return "cancelled";
      case errc::not_found: return "not_found";
      case errc::invalid_argument: return "invalid_argument";
      case errc::limit_exceeded: return "limit_exceeded";
      default: break;
    }
  }
  return "error";
}

}  // namespace

result<std::unique_ptr<service>> service::start(executor ex, const config& cfg, std::string agent_version) {
  std::unique_ptr<service> s(new service());
  s->config_ = cfg;
  s->started_at_ = std::chrono::steady_clock::now();
  s->data_dir_ = cfg.data_dir.empty() ? default_data_dir() : std::filesystem::path(cfg.data_dir);

  AP_TRY(auto opts, node_options_from(cfg, s->data_dir_, std::move(agent_version)));
  auto* self = s.get();
  opts.on_task_status = [self](std::string_view id, const a2a::task_status& st) {
    auto state = std::string(a2a::to_string(st.state));
    self->metrics_.add("agentp2p_task_updates_total", {{"state", state}});
    json::object data;
    data["taskId"] = id;
    data["state"] = state;
    self->events_.publish("task.updated", std::move(data));
  };
  AP_TRY(s->node_, node::start(ex, opts));
  s->api_ = std::make_unique<daemon::api>(*s);
  s->observe();
  AP_TRYV(s->start_discovery());
  if (cfg.http.enabled) {
    AP_TRYV(s->start_http(ex));
    AP_TRYV(s->write_api_file());
  }
  return s;
}

void service::stop_discovery() {
  if (mdns_) {
    mdns_->remove_listener(mdns_token_);
    mdns_->stop();
  }
  if (bootstrap_) bootstrap_->stop();
  if (connections_) connections_->stop();
}

// The connection manager (connections.*), bootstrap peers and mDNS.
result<void> service::start_discovery() {
  auto h = node_->shared_host();
  host::connection_manager_config cm;
  cm.low_water = static_cast<std::size_t>(config_.connections.low);
  cm.high_water = static_cast<std::size_t>(config_.connections.high);
  cm.grace_period = config_.connections.grace_period;
  connections_ = host::connection_manager::start(h, cm);
  if (!config_.bootstrap.empty()) {
    host::bootstrap_config bc;
    bc.peers = config_.bootstrap;
    AP_TRY(bootstrap_, host::bootstrap::start(h, bc, connections_));
  }
  if (!config_.mdns.enabled) return {};
  mdns::config mc;
  mc.service_names = config_.mdns.service_names;
  if (config_.mdns.interfaces.size() == 1 && config_.mdns.interfaces.front() == "all") {
    for (const auto& i : mdns::list_interfaces())
      if (i.up) mc.interfaces.push_back(i.name);
  } else {
    mc.interfaces = config_.mdns.interfaces;
  }
  auto started = mdns::service::start(h, mc);
  if (!started) {
    // Discovery is a convenience: the node works without it.
    log::warn("mDNS not started: " + started.error().message);
    return {};
  }
  mdns_ = std::move(*started);
  mdns_token_ = mdns_->on_peer_found([this](const mdns::peer_found& p) {
    node_->agent().peers().add_peer(p.peer);
    json::object d;
    d["peerId"] = p.peer.to_string();
    d["service"] = p.service;
    json::array addrs;
    for (const auto& a : p.addrs) addrs.emplace_back(a.to_string());
    d["addrs"] = std::move(addrs);
    events_.publish("peer.discovered", std::move(d));
  });
  return {};
}

namespace {
// Which agent protocol an HTTP path belongs to ("" for the API and the dashboard).
std::string_view protocol_area(std::string_view path) {
  auto under = [&](std::string_view root) {
    return path == root || (path.size() > root.size() && path.substr(0, root.size()) == root && path[root.size()] == '/');
  };
  if (under("/mcp") || under("/sse") || under("/messages")) return "mcp";
  if (under("/a2a") || under("/.well-known")) return "a2a";
  return {};
}
}  // namespace

// The HTTP server on http.address, carrying the API (and MCP, A2A).
result<void> service::start_http(executor ex) {
  const auto& address = config_.http.address;
  auto colon = address.rfind(':');
  http::listen_endpoint ep;
  ep.address = address.substr(0, colon);
  if (ep.address == "localhost") ep.address = "127.0.0.1";
  if (ep.address.size() > 2 && ep.address.front() == '[') ep.address = ep.address.substr(1, ep.address.size() - 2);
  ep.port = static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1)));
  http::config hc;
  hc.listen = {ep};
  hc.max_body_bytes = static_cast<std::size_t>(config_.limits.http_body);
  hc.max_header_bytes = static_cast<std::size_t>(config_.limits.http_header);
  hc.policy = api_policy(config_.http);
  // The API counts its own requests (api.cpp); MCP and A2A are counted here.
  hc.on_response = [this](const http::request& req, int status) {
    if (auto area = protocol_area(req.path); !area.empty())
      metrics_.add("agentp2p_http_requests_total", {{"area", std::string(area)}, {"status", std::to_string(status)}});
  };
  http_ = std::make_unique<http::server>(ex, hc);
  mount_api(*http_, *this);
  // The dashboard's files hold nothing secret, so they need no token (the API they call does).
  auto page_policy = api_policy(config_.http);
  page_policy.bearer_token.clear();
  mount_dashboard(*http_, page_policy);
  a2a::http_binding_config a2a_http;
  a2a_http.policy = api_policy(config_.http);
  a2a::mount_http(*http_, node_->a2a_dispatcher(), a2a_http);
  // MCP Streamable HTTP on /mcp (and the 2024-11-05 HTTP+SSE transport on /sse + /messages).
  mcp::http_config mcp_cfg;
  mcp_cfg.session_idle_timeout = config_.http.mcp_session_idle_timeout;
  mcp_cfg.max_message_bytes = static_cast<std::size_t>(config_.limits.mcp_message);
  mcp_http_ = mcp::http_endpoint::mount(http_->group(api_policy(config_.http)), ex, node_->shared_mcp(), mcp_cfg);
  mcp_mounted_ = true;
  auto started = http_->start();
  if (!started) {
    auto e = std::move(started).error();
    e.message = "HTTP API on " + address + ": " + e.message +
                " (another node may use it: pass --api 127.0.0.1:0 for any free port, or set http.address)";
    return e;
  }
  api_url_ = http_->url();
  if (config_.http.token.empty() && ep.address != "127.0.0.1" && ep.address != "::1")
    log::warn("the HTTP API listens on " + address + " without a token: anyone who reaches it can call tools; set http.token");
  return {};
}

service::~service() {
  stop_discovery();
  if (node_) {
    node_->host().unsubscribe(host_token_);
    node_->agent().peers().unsubscribe(registry_token_);
    node_->agent().tools().remove_call_observer(calls_token_);
  }
}

// Feeds the event bus and metrics from the host, the peer registry and the
// tool registry.
void service::observe() {
  auto& h = node_->host();
  host_token_ = h.subscribe([this](const host::event& e) {
    if (auto* o = std::get_if<host::connection_opened>(&e)) {
      const auto& info = o->conn->info();
      metrics_.add("agentp2p_connections_opened_total", {{"direction", direction_name(info.direction)}});
      json::object d;
      d["peerId"] = info.remote_peer.to_string();
      d["remoteAddr"] = info.remote_addr.to_string();
      d["direction"] = direction_name(info.direction);
      events_.publish("connection.opened", std::move(d));
    } else if (auto* c = std::get_if<host::connection_closed>(&e)) {
      metrics_.add("agentp2p_connections_closed_total", {});
      json::object d;
      d["peerId"] = c->info->remote_peer.to_string();
      d["reason"] = c->reason;
      events_.publish("connection.closed", std::move(d));
    } else if (auto* s = std::get_if<host::stream_opened>(&e)) {
      metrics_.add("agentp2p_streams_opened_total", {{"protocol", s->protocol}, {"direction", direction_name(s->direction)}});
    }
  });
  registry_token_ = node_->agent().peers().subscribe([this](const registry::event& e) {
    json::object d;
    d["peerId"] = e.peer.to_string();
    if (e.kind == registry::event_kind::card_updated) {
      if (auto p = node_->agent().peers().get(e.peer); p && p->card) {
        d["name"] = p->card->name;
        json::array tools;
        for (const auto& t : p->card->tools) tools.emplace_back(t.name);
        d["tools"] = std::move(tools);
      }
      events_.publish("card.updated", std::move(d));
      return;
    }
    events_.publish("peer." + std::string(registry::to_string(e.kind)), std::move(d));
  });
  calls_token_ = node_->agent().tools().on_call([this](const tools::registry::call_record& r) {
    const std::string caller = r.caller.empty() ? "local" : "remote";
    const auto out = outcome(r.error);
    const double secs = std::chrono::duration<double>(r.elapsed).count();
    metrics_.add("agentp2p_tool_calls_total", {{"tool", r.tool}, {"caller", caller}, {"outcome", out}});
    metrics_.observe("agentp2p_tool_call_duration_seconds", {{"caller", caller}}, secs);
    json::object d;
    d["tool"] = r.tool;
    d["caller"] = r.caller.empty() ? json::value(nullptr) : json::value(r.caller);
    d["outcome"] = out;
    d["durationMs"] = secs * 1000;
    events_.publish("tool.called", std::move(d));
  });
}

json::object service::ready_line() const {
  auto& h = node_->host();
  json::array addrs;
  for (const auto& a : h.listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + h.id().to_string());
  json::array tools;
  for (const auto& t : node_->agent().tools().list()) tools.emplace_back(t.name);
  json::object ready;
  ready["event"] = "ready";
  ready["peerId"] = h.id().to_string();
  ready["name"] = config_.agent.name;
  ready["listenAddrs"] = std::move(addrs);
  ready["apiUrl"] = api_url_.empty() ? json::value(nullptr) : json::value(api_url_);
  ready["mcpUrl"] = mcp_url().empty() ? json::value(nullptr) : json::value(mcp_url());
  ready["protocols"] = json::value_from(h.protocols());
  ready["tools"] = std::move(tools);
  ready["agentVersion"] = h.settings().agent_version;
  ready["dataDir"] = data_dir_.string();
  return ready;
}

std::string service::render_metrics() {
  auto& h = node_->host();
  std::size_t connected = 0;
  auto peers = node_->agent().peers().peers();
  for (const auto& p : peers) connected += p.connected ? 1 : 0;
  metrics_.set("agentp2p_info", {{"version", h.settings().agent_version}, {"peer_id", h.id().to_string()}}, 1);
  metrics_.set("agentp2p_uptime_seconds", {},
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count());
  metrics_.set("agentp2p_peers", {}, static_cast<double>(peers.size()));
  metrics_.set("agentp2p_peers_connected", {}, static_cast<double>(connected));
  metrics_.set("agentp2p_connections", {}, static_cast<double>(h.connections().size()));
  metrics_.set("agentp2p_tools", {}, static_cast<double>(node_->agent().tools().size()));
  metrics_.set("agentp2p_tool_calls_in_progress", {}, static_cast<double>(node_->agent().tools().active_calls()));
  metrics_.set("agentp2p_tasks_active", {}, static_cast<double>(node_->tasks().active_turns()));
  metrics_.set("agentp2p_bytes_received_total", {},
               static_cast<double>(tcp::traffic().bytes_read.load(std::memory_order_relaxed)));
  metrics_.set("agentp2p_bytes_sent_total", {},
               static_cast<double>(tcp::traffic().bytes_written.load(std::memory_order_relaxed)));
  // The library's named counters: refusals by a limit, and other events.
  for (const auto& c : counters::snapshot()) {
    if (c.kind == counters::kind::limit)
      metrics_.set("agentp2p_limits_hit_total", {{"limit", c.module + "." + c.name}}, static_cast<double>(c.value));
    else
      metrics_.set_counter("agentp2p_" + c.module + "_" + c.name + "_total", c.help, static_cast<double>(c.value));
  }
  auto dropped = events_.dropped_total();
  metrics_.set("agentp2p_events_dropped_total", {}, static_cast<double>(dropped));
  return metrics_.render();
}

result<void> service::write_api_file() {
  // Mode 0600: it may hold the bearer token.
  const auto path = data_dir_ / "api.json";
  const auto tmp = data_dir_ / ("api.json." + std::to_string(::getpid()));
  json::object o;
  o["url"] = api_url_;
  o["mcpUrl"] = mcp_url();
  o["token"] = config_.http.token;
  o["pid"] = static_cast<std::int64_t>(::getpid());
  o["peerId"] = node_->host().id().to_string();
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return make_error(errc::io_error, "cannot write " + tmp.string());
    ::chmod(tmp.c_str(), 0600);
    out << json::serialize(o) << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(errc::io_error, "cannot write " + path.string() + ": " + ec.message());
  api_file_written_ = true;
  return {};
}

void service::remove_runtime_files() {
  if (!api_file_written_) return;
  const auto path = data_dir_ / "api.json";
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec && v.is_object() && v.as_object().contains("pid") && v.as_object().at("pid").is_int64() &&
      v.as_object().at("pid").as_int64() == ::getpid())
    std::filesystem::remove(path);
  api_file_written_ = false;
}

awaitable<void> service::shutdown(std::chrono::milliseconds drain) {
  // No new requests; in-flight ones finish within the server's close timeout.
  if (mcp_http_) co_await mcp_http_->close();
  if (http_) co_await http_->close();
  stop_discovery();
  auto ex = co_await asio::this_coro::executor;
  const auto until = std::chrono::steady_clock::now() + drain;
  while (std::chrono::steady_clock::now() < until &&
         (node_->agent().tools().active_calls() > 0 || node_->tasks().active_turns() > 0)) {
    asio::steady_timer t(ex, std::chrono::milliseconds(50));
    co_await t.async_wait(asio::use_awaitable);
  }
  co_await node_->close();
}

}  // namespace agentp2p::daemon
