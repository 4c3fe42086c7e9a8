#include "agentp2p/daemon/http_mount.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/daemon/api.hpp"
#include "agentp2p/daemon/service.hpp"
#include "agentp2p/http/server.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

// Event-stream readers at once; more get 429.
constexpr std::size_t max_event_readers = 32;
// A comment goes out this often on an idle stream (proxies, dead clients).
constexpr auto keep_alive = std::chrono::seconds(15);
// Events sent per wake-up before yielding.
constexpr std::size_t batch_size = 100;

std::size_t event_readers = 0;

http::response to_http(const api_response& r) {
  http::response out;
  out.status = r.status;
  out.body = r.body;
  out.headers.set("Content-Type", r.content_type);
  out.headers.set("Cache-Control", "no-store");
  return out;
}

awaitable<http::response> serve_api(service* s, http::request& req) {
  std::string query_target = req.target;
  auto r = api::parse_target(req.method, query_target, req.body);
  auto resp = co_await s->api().handle(std::move(r));
  co_return to_http(resp);
}

http::sse_event dropped_event(std::uint64_t n) {
  json::object o;
  o["type"] = "events_dropped";
  o["data"] = json::object{{"count", n}};
  return http::make_sse_event(json::serialize(o), "events_dropped");
}

http::sse_event to_sse(const event& e) {
  return http::make_sse_event(json::serialize(to_json(e)), e.type, std::to_string(e.seq));
}

// What a streaming handler returns (the server ignores it once streaming started).
http::response streamed() { return http::response(); }

struct reader_slot {
  reader_slot() { ++event_readers; }
  ~reader_slot() { --event_readers; }
};

struct watch_guard {
  watch_guard(event_bus& b, std::uint64_t t) : bus(b), token(t) {}
  ~watch_guard() { bus.unwatch(token); }
  event_bus& bus;
  std::uint64_t token;
};

// GET /api/v1/events: the backlog after `after` (query) or Last-Event-ID
// (default: everything the ring holds), then live events.
awaitable<http::response> serve_events(service* s, http::request& req, http::response_writer& w) {
  if (event_readers >= max_event_readers) {
    s->metrics().add("agentp2p_limits_hit_total", {{"limit", "event_readers"}});
    co_return http::response::error(429, "limit_exceeded",
                                    "too many event-stream readers (" + std::to_string(max_event_readers) + "); try later");
  }
  reader_slot slot;
  std::uint64_t after = 0;
  std::string from;
  if (auto id = req.last_event_id()) from = std::string(*id);
  else if (auto q = req.query_param("after")) from = std::string(*q);
  if (!from.empty()) {
    try {
      after = std::stoull(from);
    } catch (...) {
      co_return http::response::error(400, "invalid_argument", "after / Last-Event-ID must be an event sequence number");
    }
  }
  s->metrics().add("agentp2p_http_requests_total", {{"area", "events"}, {"status", "200"}});
  http::sse_writer sse(w);
  auto started = co_await sse.start();
  if (!started) co_return streamed();

  auto ex = co_await asio::this_coro::executor;
  auto wake = std::make_shared<asio::steady_timer>(ex);
  watch_guard guard(s->events(), s->events().watch([ex, wake] {
    asio::post(ex, [wake] { wake->cancel(); });
  }));
  auto last_write = std::chrono::steady_clock::now();
  while (!sse.gone()) {
    auto batch = s->events().since(after, batch_size);
    if (batch.dropped > 0) {
      s->events().count_dropped(batch.dropped);
      auto sent = co_await sse.send(dropped_event(batch.dropped));
      if (!sent) break;
      after += batch.dropped;
    }
    bool failed = false;
    for (const auto& e : batch.events) {
      auto sent = co_await sse.send(to_sse(e));
      if (!sent) {
        failed = true;
        break;
      }
      after = e.seq;
      last_write = std::chrono::steady_clock::now();
    }
    if (failed) break;
    if (batch.events.size() == batch_size) continue;  // more are waiting
    if (std::chrono::steady_clock::now() - last_write >= keep_alive) {
      auto sent = co_await sse.comment("keep-alive");
      if (!sent) break;
      last_write = std::chrono::steady_clock::now();
    }
    // Sleep until an event is published (the watcher cancels the timer) or
    // the keep-alive is due. A publish between since() and here re-arms
    // nothing, so the wait is short-circuited by checking once more.
    if (s->events().last_seq() > after) continue;
    wake->expires_after(keep_alive);
    boost::system::error_code ec;
    co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return streamed();
}

}  // namespace

http::access_policy api_policy(const config::http_section& cfg) {
  http::access_policy p;
  p.bearer_token = cfg.token;
  for (const auto& o : cfg.allowed_origins) {
    if (o == "*") p.allow_any_origin = true;
    else p.allowed_origins.push_back(o);
  }
  return p;
}

void mount_api(http::server& srv, service& s) {
  auto group = srv.group(api_policy(s.settings().http));
  service* svc = &s;
  auto api_handler = [svc](http::request& req, http::response_writer&) { return serve_api(svc, req); };
  group.add("*", "/api/v1/*", api_handler);
  group.get("/metrics", api_handler);
  group.get("/api/v1/events", [svc](http::request& req, http::response_writer& w) { return serve_events(svc, req, w); });
}

}  // namespace agentp2p::daemon
