#include "agentp2p/base/deadline.hpp"
#include "agentp2p/agent/mcp/http_client.hpp"

#include <deque>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/mcp/protocol.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/scoped_listing.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/http/client.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_inbox = 4096;

std::string cut(std::string_view s, std::size_t max = 300) {
  std::string out(s.substr(0, max));
  if (s.size() > max) out += "...";
  return out;
}

// What the background exchanges share with the transport object.
struct http_state {
  http_state(executor e, http_client_params p) : ex(e), params(std::move(p)), client(e, client_opts(params)) {}
  static http::client_options client_opts(const http_client_params& p) {
    http::client_options o;
    o.connect_timeout = p.connect_timeout;
    o.request_timeout = p.request_timeout;
    o.max_body_bytes = p.max_message;
    o.max_event_bytes = p.max_message;
    for (const auto& [k, v] : p.headers) o.default_headers.set(k, v);
    o.user_agent = "agentp2p-mcp-client";
    return o;
  }

  executor ex;
  http_client_params params;
  http::client client;

  // Messages for receive().
  std::deque<json::value> inbox;
  std::optional<agentp2p::error> ended;
  asio::steady_timer* receiver = nullptr;

  std::string session_id;
  std::string protocol_version;
  std::string initialize_key;           // id_key of our initialize request
  std::set<std::string> outstanding;    // our requests without a response yet
  std::optional<std::string> get_last_event_id;
  bool closed = false;

  // Legacy SSE: the URL to POST to, once the server named it.
  std::optional<std::string> endpoint;
  std::vector<asio::steady_timer*> endpoint_waiters;

  void wake() {
    if (receiver) receiver->cancel();
  }
  void end(agentp2p::error e) {
    if (!ended) ended = std::move(e);
    wake();
    for (auto* w : endpoint_waiters) w->cancel();
  }
  // One message from the server.
  void deliver(json::value v) {
    if (closed) return;
    if (auto* o = v.if_object(); o && o->contains("id") && (o->contains("result") || o->contains("error"))) {
      auto key = id_key(o->at("id"));
      outstanding.erase(key);
      if (key == initialize_key) {
        if (const auto* r = o->if_contains("result"); r && r->is_object())
          if (const auto* pv = r->get_object().if_contains("protocolVersion"); pv && pv->is_string())
            protocol_version = std::string(pv->get_string());
      }
    }
    if (inbox.size() >= max_inbox) {
      end(make_error(errc::limit_exceeded, "mcp " + params.name + ": the server sends faster than we read"));
      return;
    }
    inbox.push_back(std::move(v));
    wake();
  }
  // A body or event: one message or a batch. Returns false if it is not JSON.
  bool deliver_text(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) {
      log::warn("mcp " + params.name + ": the server sent something that is not JSON: " + cut(text, 120));
      return false;
    }
    if (auto* a = v.if_array()) {
      for (auto& item : *a) deliver(std::move(item));
    } else {
      deliver(std::move(v));
    }
    return true;
  }
  // Our requests `ids` will get no answer: answer them with `e` ourselves.
  void fail_requests(const std::vector<json::value>& ids, const agentp2p::error& e) {
    for (const auto& id : ids) {
      if (!outstanding.contains(id_key(id))) continue;
      deliver(make_error_response(id, e));
    }
  }
  void add_headers(http::client_request& req, bool sse_only) const {
    req.headers.set("Accept", sse_only ? "text/event-stream" : "application/json, text/event-stream");
    if (!session_id.empty()) req.headers.set("Mcp-Session-Id", session_id);
    if (!protocol_version.empty()) req.headers.set("MCP-Protocol-Version", protocol_version);
  }
};

// Request ids in a message or batch we send.
std::vector<json::value> request_ids(const json::value& msg) {
  std::vector<json::value> ids;
  auto one = [&](const json::value& m) {
    if (const auto* o = m.if_object(); o && o->contains("method") && o->contains("id")) ids.push_back(o->at("id"));
  };
  if (const auto* a = msg.if_array())
    for (const auto& m : *a) one(m);
  else
    one(msg);
  return ids;
}

std::string method_of(const json::value& msg) {
  if (const auto* o = msg.if_object())
    if (const auto* m = o->if_contains("method"); m && m->is_string()) return std::string(m->get_string());
  return {};
}

awaitable<result<json::value>> receive_from(std::shared_ptr<http_state> st) {
  while (st->inbox.empty() && !st->ended) {
    asio::steady_timer t(st->ex, asio::steady_timer::time_point::max());
    st->receiver = &t;
    auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    st->receiver = nullptr;
    if (st->inbox.empty() && !st->ended) co_return make_error(errc::cancelled, "receive cancelled");
  }
  if (!st->inbox.empty()) {
    auto m = std::move(st->inbox.front());
    st->inbox.pop_front();
    co_return m;
  }
  co_return *st->ended;
}

bool still_owed(const http_state& st, const std::vector<json::value>& ids) {
  for (const auto& id : ids)
    if (st.outstanding.contains(id_key(id))) return true;
  return false;
}

// Reads an SSE stream until it ends; returns how many events it carried.
// `last_id` and `retry` are updated as events arrive.
awaitable<std::size_t> read_events(std::shared_ptr<http_state> st, http::response_stream& s,
                                   std::optional<std::string>& last_id, std::chrono::milliseconds& retry,
                                   const std::vector<json::value>* owed) {
  std::size_t n = 0;
  for (;;) {
    auto ev = co_await s.next_event(st->params.stream_idle_timeout);
    if (!ev) {
      log::debug("mcp " + st->params.name + ": SSE stream ended: " + ev.error().what());
      break;
    }
    if (!*ev) break;
    ++n;
    if ((*ev)->id) last_id = (*ev)->id;
    if ((*ev)->retry_ms) retry = std::chrono::milliseconds(*(*ev)->retry_ms);
    const auto& type = (*ev)->event;
    if ((*ev)->data.empty() || !(type.empty() || type == "message")) continue;  // priming events, pings
    st->deliver_text((*ev)->data);
    if (owed && !still_owed(*st, *owed)) break;  // everything this stream owed us has come
  }
  s.close();
  co_return n;
}

// A GET that resumes or opens the server's SSE stream.
awaitable<result<std::unique_ptr<http::response_stream>>> open_get(std::shared_ptr<http_state> st,
                                                                   std::optional<std::string> last_id) {
  auto req = http::get_request(st->params.url);
  st->add_headers(req, true);
  if (last_id) req.headers.set("Last-Event-ID", *last_id);
  co_return co_await st->client.open(std::move(req));
}

// The rest of a POST's SSE stream: read it, and while it still owes us
// responses after it ends, resume it with GET + Last-Event-ID.
awaitable<void> follow_stream(std::shared_ptr<http_state> st, std::unique_ptr<http::response_stream> s,
                              std::vector<json::value> owed) {
  std::optional<std::string> last_id;
  std::chrono::milliseconds retry = st->params.default_retry;
  int failures = 0;
  for (;;) {
    auto n = co_await read_events(st, *s, last_id, retry, &owed);
    if (st->closed || !still_owed(*st, owed)) co_return;
    failures = n > 0 ? 0 : failures + 1;
    if (failures > st->params.max_reconnects || !last_id) {
      st->fail_requests(owed, make_error(errc::closed, "mcp " + st->params.name +
                                                           ": the server closed the response stream without answering"));
      co_return;
    }
    co_await sleep_for(st->ex, retry);
    if (st->closed) co_return;
    auto next = co_await open_get(st, last_id);
    if (!next || (*next)->status() != 200 || !(*next)->is_event_stream()) {
      std::string why = next ? "HTTP " + std::to_string((*next)->status()) : next.error().what();
      st->fail_requests(owed, make_error(errc::closed, "mcp " + st->params.name + ": resuming the response stream failed: " + why));
      co_return;
    }
    s = std::move(*next);
  }
}

// The server's own stream (notifications, requests outside any call).
awaitable<void> get_stream_loop(std::shared_ptr<http_state> st) {
  int failures = 0;
  std::chrono::milliseconds retry = st->params.default_retry;
  while (!st->closed) {
    auto s = co_await open_get(st, st->get_last_event_id);
    if (st->closed) co_return;
    if (s && (*s)->status() == 405) {
      log::debug("mcp " + st->params.name + ": the server offers no GET stream");
      co_return;
    }
    if (s && (*s)->status() == 404 && !st->session_id.empty()) {
      st->end(make_error(errc::closed, "mcp " + st->params.name + ": the server no longer knows our session (404)"));
      co_return;
    }
    if (s && (*s)->status() == 200 && (*s)->is_event_stream()) {
      auto n = co_await read_events(st, **s, st->get_last_event_id, retry, nullptr);
      failures = n > 0 ? 0 : failures + 1;
    } else {
      ++failures;
      log::debug("mcp " + st->params.name + ": GET stream: " + (s ? "HTTP " + std::to_string((*s)->status()) : s.error().what()));
    }
    if (failures > st->params.max_reconnects) {
      log::warn("mcp " + st->params.name + ": giving up the server's GET stream after " + std::to_string(failures) +
                " failed attempts");
      co_return;
    }
    co_await sleep_for(st->ex, retry);
  }
}

awaitable<void> post_exchange(std::shared_ptr<http_state> st, std::string url, std::string body,
                              std::vector<json::value> ids, bool start_get, task_group* tasks) {
  auto req = http::post_request(std::move(url), std::move(body));
  st->add_headers(req, false);
  auto r = co_await st->client.open(std::move(req));
  if (st->closed) co_return;
  if (!r) {
    st->fail_requests(ids, make_error(errc::connection_refused, "mcp " + st->params.name + ": POST " +
                                                                    st->params.url + " failed: " + r.error().what()));
    co_return;
  }
  auto& s = **r;
  const int status = s.status();
  if (auto sid = s.header("Mcp-Session-Id"); sid && st->session_id.empty()) st->session_id = std::string(*sid);
  if (status == 404 && !st->session_id.empty()) {
    st->end(make_error(errc::closed, "mcp " + st->params.name + ": the server no longer knows our session (404)"));
    co_return;
  }
  if (status < 200 || status >= 300) {
    auto text = co_await s.read_all();
    st->fail_requests(ids, make_error(errc::protocol_error, "mcp " + st->params.name + ": HTTP " + std::to_string(status) +
                                                                (text && !text->empty() ? ": " + cut(*text) : std::string())));
    co_return;
  }
  if (start_get && st->params.open_get_stream && tasks)  // (st->closed was checked after the last co_await)
    tasks->spawn(get_stream_loop(st), "mcp " + st->params.name + " GET stream");
  if (s.is_event_stream()) {
    co_await follow_stream(st, std::move(*r), std::move(ids));
    co_return;
  }
  if (status == 202) co_return;
  auto text = co_await s.read_all();
  if (st->closed) co_return;
  if (!text) {
    st->fail_requests(ids, make_error(errc::io_error, "mcp " + st->params.name + ": reading the answer: " + text.error().what()));
    co_return;
  }
  if (text->empty() || ids.empty()) co_return;  // 202-like: nothing owed, or a notification's courtesy body
  if (!st->deliver_text(*text))
    st->fail_requests(ids, make_error(errc::decode_error, "mcp " + st->params.name + ": the answer is not JSON"));
  else if (still_owed(*st, ids))
    st->fail_requests(ids, make_error(errc::protocol_error, "mcp " + st->params.name + ": the answer does not contain our response"));
}

class streamable_http_transport final : public transport {
 public:
  streamable_http_transport(executor ex, http_client_params p)
      : st_(std::make_shared<http_state>(ex, std::move(p))), tasks_(ex) {}
  ~streamable_http_transport() override {
    st_->closed = true;
    tasks_.cancel();
  }

  executor get_executor() const override { return st_->ex; }
  awaitable<result<json::value>> receive() override { return receive_from(st_); }

  awaitable<result<void>> send(const json::value& message, const json::value&) override {
    if (st_->closed || st_->ended) co_return make_error(errc::closed, "mcp " + st_->params.name + ": transport closed");
    auto ids = request_ids(message);
    const auto method = method_of(message);
    if (method == "initialize" && !ids.empty()) st_->initialize_key = id_key(ids.front());
    for (const auto& id : ids) st_->outstanding.insert(id_key(id));
    const bool start_get = method == "notifications/initialized" && st_->params.open_get_stream;
    tasks_.spawn(post_exchange(st_, st_->params.url, json::serialize(message), std::move(ids), start_get, &tasks_),
                 "mcp " + st_->params.name + " POST " + method);
    co_return ok();
  }

  awaitable<void> close() override {
    auto st = st_;
    if (st->closed) co_return;
    st->closed = true;
    tasks_.cancel();
    co_await tasks_.join();
    if (!st->session_id.empty()) {
      auto req = http::delete_request(st->params.url);
      st->add_headers(req, false);
      req.timeout = std::chrono::milliseconds(2000);
      auto r = co_await st->client.send(std::move(req));
      if (r && r->status != 200 && r->status != 202 && r->status != 204 && r->status != 405)
        log::debug("mcp " + st->params.name + ": DELETE answered HTTP " + std::to_string(r->status));
    }
    st->end(make_error(errc::end_of_stream, "closed"));
    st->client.close_idle();
  }

 private:
  std::shared_ptr<http_state> st_;
  task_group tasks_;
};

// ---- legacy HTTP+SSE -------------------------------------------------------------------

std::string resolve(const std::string& base, const std::string& ref) {
  if (ref.starts_with("http://") || ref.starts_with("https://")) return ref;
  auto u = http::parse_url(base);
  if (!u) return ref;
  std::string origin = u->scheme + "://" + u->authority();
  if (ref.starts_with("/")) return origin + ref;
  auto path = u->target.substr(0, u->target.find('?'));
  auto slash = path.rfind('/');
  return origin + path.substr(0, slash + 1) + ref;
}

awaitable<void> legacy_stream(std::shared_ptr<http_state> st) {
  auto req = http::get_request(st->params.url);
  req.headers.set("Accept", "text/event-stream");
  auto r = co_await st->client.open(std::move(req));
  if (!r) {
    st->end(make_error(errc::connection_refused, "mcp " + st->params.name + ": GET " + st->params.url + ": " + r.error().what()));
    co_return;
  }
  if ((*r)->status() != 200 || !(*r)->is_event_stream()) {
    st->end(make_error(errc::protocol_error, "mcp " + st->params.name + ": GET " + st->params.url + " answered HTTP " +
                                                 std::to_string((*r)->status()) + ", not an SSE stream"));
    co_return;
  }
  for (;;) {
    auto ev = co_await (*r)->next_event(st->params.stream_idle_timeout);
    if (!ev || !*ev) break;
    if ((*ev)->event == "endpoint") {
      st->endpoint = resolve(st->params.url, (*ev)->data);
      for (auto* w : st->endpoint_waiters) w->cancel();
      continue;
    }
    if ((*ev)->data.empty() || !((*ev)->event.empty() || (*ev)->event == "message")) continue;
    st->deliver_text((*ev)->data);
  }
  st->end(make_error(errc::end_of_stream, "mcp " + st->params.name + ": the server closed its SSE stream"));
}

awaitable<void> legacy_post(std::shared_ptr<http_state> st, std::string url, std::string body,
                            std::vector<json::value> ids) {
  auto req = http::post_request(std::move(url), std::move(body));
  auto r = co_await st->client.send(std::move(req));
  if (!r) {
    st->fail_requests(ids, make_error(errc::connection_refused, "mcp " + st->params.name + ": POST failed: " + r.error().what()));
    co_return;
  }
  if (r->status < 200 || r->status >= 300)
    st->fail_requests(ids, make_error(errc::protocol_error, "mcp " + st->params.name + ": HTTP " + std::to_string(r->status) +
                                                                (r->body.empty() ? std::string() : ": " + cut(r->body))));
}

class legacy_sse_transport final : public transport {
 public:
  legacy_sse_transport(executor ex, http_client_params p)
      : st_(std::make_shared<http_state>(ex, std::move(p))), tasks_(ex) {}
  ~legacy_sse_transport() override {
    st_->closed = true;
    tasks_.cancel();
  }

  executor get_executor() const override { return st_->ex; }

  awaitable<result<json::value>> receive() override {
    start();
    return receive_from(st_);
  }

  awaitable<result<void>> send(const json::value& message, const json::value&) override {
    start();
    auto st = st_;
    // Until the server names its POST endpoint (bounded by the connect and request timeouts).
    const auto give_up = std::chrono::steady_clock::now() + st->params.connect_timeout + st->params.request_timeout;
    while (!st->endpoint && !st->ended && !st->closed && std::chrono::steady_clock::now() < give_up) {
      asio::steady_timer t(st->ex, give_up);
      scoped_listing listed(st->endpoint_waiters, &t);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (st->closed || st->ended) co_return make_error(errc::closed, "mcp " + st->params.name + ": transport closed");
    if (!st->endpoint)
      co_return make_error(errc::timeout, "mcp " + st->params.name + ": the server never sent its endpoint event");
    auto ids = request_ids(message);
    for (const auto& id : ids) st->outstanding.insert(id_key(id));
    tasks_.spawn(legacy_post(st, *st->endpoint, json::serialize(message), std::move(ids)),
                 "mcp " + st->params.name + " POST");
    co_return ok();
  }

  awaitable<void> close() override {
    auto st = st_;
    if (st->closed) co_return;
    st->closed = true;
    tasks_.cancel();
    co_await tasks_.join();
    st->end(make_error(errc::end_of_stream, "closed"));
    st->client.close_idle();
  }

 private:
  void start() {
    if (started_) return;
    started_ = true;
    tasks_.spawn(legacy_stream(st_), "mcp " + st_->params.name + " SSE stream");
  }
  std::shared_ptr<http_state> st_;
  task_group tasks_;
  bool started_ = false;
};

}  // namespace

std::unique_ptr<transport> make_streamable_http_transport(executor ex, http_client_params params) {
  return std::make_unique<streamable_http_transport>(std::move(ex), std::move(params));
}

std::unique_ptr<transport> make_legacy_sse_transport(executor ex, http_client_params params) {
  return std::make_unique<legacy_sse_transport>(std::move(ex), std::move(params));
}

}  // namespace agentp2p::mcp
