#include "agentp2p/agent/mcp/streamable_http.hpp"

#include <algorithm>
#include <deque>
#include <list>
#include <map>
#include <random>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/scoped_listing.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;
using clock = std::chrono::steady_clock;

namespace http_detail {

// A wake-up for coroutines waiting on some state (single-threaded).
struct signal {
  std::uint64_t generation = 0;
  std::list<asio::steady_timer*> waiters;
  void notify() {
    ++generation;
    for (auto* t : waiters) t->cancel();
  }
};

enum class woke { notified, timeout, cancelled };

// Waits for a notify() after the caller saw generation `seen`: one that came
// meanwhile (while the caller was busy writing, say) counts at once. Without
// that, a message pushed during a write would wait for the next notify.
awaitable<woke> wait_for(signal& s, executor ex, std::chrono::milliseconds limit, std::uint64_t seen) {
  if (s.generation != seen) co_return woke::notified;
  const auto gen = s.generation;
  asio::steady_timer t(ex, limit);
  scoped_listing listed(s.waiters, &t);
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  if (s.generation != gen) co_return woke::notified;
  co_return ec ? woke::cancelled : woke::timeout;
}

// For callers that check their state right before waiting (no co_await in between).
awaitable<woke> wait_for(signal& s, executor ex, std::chrono::milliseconds limit) {
  co_return co_await wait_for(s, std::move(ex), limit, s.generation);
}

// One SSE stream of a session: a POST's (its requests' traffic and
// responses) or the standalone one (everything else). Events are kept in a
// bounded buffer so a client can resume with Last-Event-ID.
struct stream {
  std::string id;
  bool standalone = false;
  bool json_mode = false;                        // the POST wants one JSON body
  std::deque<std::pair<std::uint64_t, std::string>> events;
  std::uint64_t next_seq = 1;
  std::set<std::string> pending;                 // request ids (id_key) not yet answered
  bool done = false;                             // every response of a POST stream is in `events`
  bool attached = false;                         // an HTTP response is streaming it now
  bool kick = false;                             // end the attached response (the client resumes)
  json::array json_responses;
  signal changed;
};

bool is_response(const json::value& v) {
  const auto* o = v.if_object();
  return o && !o->contains("method") && (o->contains("result") || o->contains("error"));
}

std::string random_id() {
  std::random_device rd;
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    auto v = rd();
    for (int j = 0; j < 8; ++j) {
      out.push_back(digits[v & 15]);
      v >>= 4;
    }
  }
  return out;
}

}  // namespace http_detail

using namespace http_detail;

// One MCP session over HTTP.
struct http_session {
  std::string id;
  executor ex;
  const http_config* cfg = nullptr;
  bool legacy = false;
  std::shared_ptr<session> mcp;
  clock::time_point last_used = clock::now();
  bool closed = false;

  std::deque<json::value> incoming;
  signal incoming_changed;

  std::map<std::string, std::shared_ptr<stream>> streams;     // by stream id
  std::map<std::string, std::shared_ptr<stream>> by_request;  // request id_key → its POST stream
  std::shared_ptr<stream> standalone;
  std::uint64_t next_stream = 1;

  std::shared_ptr<stream> new_stream(bool is_standalone) {
    auto st = std::make_shared<stream>();
    st->id = (is_standalone ? "g" : "p") + std::to_string(next_stream++);
    st->standalone = is_standalone;
    streams[st->id] = st;
    // Finished streams are kept for resumption, but not without bound.
    if (streams.size() > 64) {
      for (auto it = streams.begin(); it != streams.end(); ++it) {
        if (it->second->done && !it->second->attached) {
          streams.erase(it);
          break;
        }
      }
    }
    return st;
  }

  std::shared_ptr<stream> standalone_stream() {
    if (!standalone) standalone = new_stream(true);
    return standalone;
  }

  void push(std::shared_ptr<stream>& st, const json::value& msg) {
    st->events.emplace_back(st->next_seq++, json::serialize(msg));
    const std::size_t cap = st->standalone && !st->attached ? cfg->max_queued_standalone : cfg->max_replay_events;
    while (st->events.size() > cap) st->events.pop_front();
  }

  void answered(std::shared_ptr<stream>& st, const json::value& response) {
    if (const auto* o = response.if_object(); o && o->contains("id")) {
      const auto key = id_key(o->at("id"));
      st->pending.erase(key);
      by_request.erase(key);
    }
  }

  // Where the session's outgoing messages go (transport::send).
  void deliver(const json::value& msg, const json::value& related) {
    std::shared_ptr<stream> target;
    if (!related.is_null())
      if (auto it = by_request.find(id_key(related)); it != by_request.end()) target = it->second;
    const bool response = msg.is_array() || is_response(msg);
    if (target && target->json_mode) {
      if (!response) {
        target = nullptr;  // a JSON body carries responses only
      } else {
        if (msg.is_array())
          for (const auto& r : msg.get_array()) {
            target->json_responses.push_back(r);
            answered(target, r);
          }
        else {
          target->json_responses.push_back(msg);
          answered(target, msg);
        }
        if (target->pending.empty()) target->done = true;
        target->changed.notify();
        return;
      }
    }
    if (!target) target = standalone_stream();
    push(target, msg);
    if (response && !target->standalone) {
      if (msg.is_array())
        for (const auto& r : msg.get_array()) answered(target, r);
      else
        answered(target, msg);
      if (target->pending.empty()) target->done = true;
    }
    target->changed.notify();
  }

  void close() {
    if (closed) return;
    closed = true;
    incoming_changed.notify();
    for (auto& [sid, st] : streams) st->changed.notify();
    if (mcp) mcp->close();
  }

  bool busy() const {
    for (const auto& [sid, st] : streams)
      if (st->attached) return true;
    return false;
  }
  // Nothing in progress: no open stream and no request awaiting its answer.
  bool idle() const { return !busy() && by_request.empty(); }
};

namespace {

class http_transport final : public transport {
 public:
  http_transport(std::weak_ptr<http_session> s, executor ex) : s_(std::move(s)), ex_(std::move(ex)) {}
  executor get_executor() const override { return ex_; }

  awaitable<result<json::value>> receive() override {
    for (;;) {
      auto s = s_.lock();
      if (!s || s->closed) co_return make_error(errc::end_of_stream, "HTTP session ended");
      if (!s->incoming.empty()) {
        auto m = std::move(s->incoming.front());
        s->incoming.pop_front();
        co_return m;
      }
      auto w = co_await wait_for(s->incoming_changed, ex_, std::chrono::hours(1));
      if (w == woke::cancelled) co_return make_error(errc::cancelled, "receive cancelled");
    }
  }

  awaitable<result<void>> send(const json::value& message, const json::value& related) override {
    auto s = s_.lock();
    if (!s || s->closed) co_return make_error(errc::closed, "HTTP session ended");
    s->deliver(message, related);
    co_return ok();
  }

  void end_stream(const json::value& related) override {
    auto s = s_.lock();
    if (!s) return;
    auto it = s->by_request.find(id_key(related));
    if (it == s->by_request.end() || it->second->json_mode) return;
    it->second->kick = true;
    it->second->changed.notify();
  }

  awaitable<void> close() override {
    if (auto s = s_.lock()) {
      s->closed = true;
      for (auto& [sid, st] : s->streams) st->changed.notify();
    }
    co_return;
  }

 private:
  std::weak_ptr<http_session> s_;
  executor ex_;
};

http::response rpc_failure(int status, int code, std::string message) {
  auto body = make_error_response(nullptr, rpc_error(code, std::move(message)));
  return http::response::json(json::serialize(body), status);
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (http::iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

struct accepts {
  bool json = false;
  bool sse = false;
};

accepts parse_accept(const http::request& req) {
  accepts a;
  auto h = req.header("Accept");
  if (!h) {
    a.json = true;  // no Accept header: anything goes; JSON is simplest
    return a;
  }
  a.json = contains_ci(*h, "application/json") || contains_ci(*h, "*/*") || contains_ci(*h, "application/*");
  a.sse = contains_ci(*h, "text/event-stream");
  return a;
}

}  // namespace

struct http_endpoint::impl {
  impl(executor e, std::shared_ptr<server> s, http_config c) : ex(std::move(e)), mcp(std::move(s)), cfg(std::move(c)), tasks(ex) {}

  executor ex;
  std::shared_ptr<server> mcp;
  http_config cfg;
  task_group tasks;
  std::map<std::string, std::shared_ptr<http_session>> sessions;
  bool closing = false;
  asio::steady_timer* sweep_timer = nullptr;  // the idle sweeper's, while it waits

  static awaitable<void> sweep_idle(std::weak_ptr<impl> weak, executor ex, std::chrono::milliseconds every);
  void drop_idle(clock::time_point now) {
    std::vector<std::shared_ptr<http_session>> idle;
    for (auto& [sid, s] : sessions)
      if (s->idle() && now - s->last_used > cfg.session_idle_timeout) idle.push_back(s);
    for (auto& s : idle) {
      log::debug("mcp http: closing session " + s->id + ": idle for longer than " +
                 std::to_string(cfg.session_idle_timeout.count()) + " ms");
      drop(s);
    }
  }
  void start_sweeper(const std::shared_ptr<impl>& self) {
    using namespace std::chrono_literals;
    auto every = std::clamp<std::chrono::milliseconds>(cfg.session_idle_timeout / 2, 10ms, 60s);
    tasks.spawn(sweep_idle(self, ex, every), "mcp http idle sweep");
  }
  void stop_sweeper() {
    closing = true;
    if (sweep_timer) sweep_timer->cancel();
  }
  bool too_large(const http::request& req) const {
    return cfg.max_message_bytes > 0 && req.body.size() > cfg.max_message_bytes;
  }
  http::response too_large_response() const {
    return rpc_failure(413, code::invalid_request,
                       "the message exceeds the limit of " + std::to_string(cfg.max_message_bytes) + " bytes");
  }

  static awaitable<http::response> post(std::shared_ptr<impl> self, http::request& req, http::response_writer& w);
  static awaitable<http::response> get(std::shared_ptr<impl> self, http::request& req, http::response_writer& w);
  static awaitable<http::response> del(std::shared_ptr<impl> self, http::request& req, http::response_writer& w);
  static awaitable<http::response> legacy_get(std::shared_ptr<impl> self, http::request& req,
                                              http::response_writer& w);
  static awaitable<http::response> legacy_post(std::shared_ptr<impl> self, http::request& req,
                                               http::response_writer& w);
  static awaitable<void> run_session(std::shared_ptr<impl> self, std::shared_ptr<http_session> s);
  static awaitable<bool> stream_events(std::shared_ptr<impl> self, std::shared_ptr<http_session> s,
                                       std::shared_ptr<stream> st, http::sse_writer& sse, std::uint64_t after);

  std::shared_ptr<http_session> create_session(bool legacy);
  std::shared_ptr<http_session> find(std::string_view id) {
    auto it = sessions.find(std::string(id));
    if (it == sessions.end() || it->second->closed) return nullptr;
    it->second->last_used = clock::now();
    return it->second;
  }
  void drop(const std::shared_ptr<http_session>& s) {
    s->close();
    sessions.erase(s->id);
  }
};

// Wakes every `every` and closes the sessions idle past the timeout. Holds
// the endpoint only while it looks (its timer is its own).
awaitable<void> http_endpoint::impl::sweep_idle(std::weak_ptr<impl> weak, executor ex, std::chrono::milliseconds every) {
  asio::steady_timer timer(ex);
  for (;;) {
    {
      auto self = weak.lock();
      if (!self || self->closing) co_return;
      self->sweep_timer = &timer;
    }
    timer.expires_after(every);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    auto self = weak.lock();
    if (!self) co_return;
    self->sweep_timer = nullptr;
    if (self->closing) co_return;
    self->drop_idle(clock::now());
  }
}

std::shared_ptr<http_session> http_endpoint::impl::create_session(bool legacy) {
  if (closing) return nullptr;
  if (sessions.size() >= cfg.max_sessions) {
    // Make room: sessions idle past the timeout, else the least recently used idle one.
    std::shared_ptr<http_session> victim;
    const auto now = clock::now();
    for (auto& [sid, s] : sessions) {
      if (s->busy()) continue;
      if (now - s->last_used > cfg.session_idle_timeout) {
        victim = s;
        break;
      }
      if (!victim || s->last_used < victim->last_used) victim = s;
    }
    if (!victim) {
      static auto& c = counters::limit("mcp_http", "sessions_refused", "MCP HTTP sessions refused: max_sessions busy");
      counters::count_and_log(c, "mcp http: refusing a new session: " + std::to_string(sessions.size()) +
                                     " sessions open and busy (limit " + std::to_string(cfg.max_sessions) + ")");
      return nullptr;
    }
    log::debug("mcp http: dropping idle session " + victim->id);
    drop(victim);
  }
  auto s = std::make_shared<http_session>();
  s->id = random_id();
  s->ex = ex;
  s->cfg = &cfg;
  s->legacy = legacy;
  session_config sc = cfg.session;
  sc.name = std::string(legacy ? "mcp sse " : "mcp http ") + s->id.substr(0, 8);
  s->mcp = mcp->open_session(std::make_unique<http_transport>(s, ex), sc);
  sessions[s->id] = s;
  return s;
}

awaitable<void> http_endpoint::impl::run_session(std::shared_ptr<impl> self, std::shared_ptr<http_session> s) {
  co_await s->mcp->run();
  s->close();
  if (auto it = self->sessions.find(s->id); it != self->sessions.end() && it->second == s) self->sessions.erase(it);
}

// Streams `st` from after event `after` until it is done (POST streams), the
// client goes away or the session ends. False when the client went away.
awaitable<bool> http_endpoint::impl::stream_events(std::shared_ptr<impl> self, std::shared_ptr<http_session> s,
                                                   std::shared_ptr<stream> st, http::sse_writer& sse,
                                                   std::uint64_t after) {
  using namespace asio::experimental::awaitable_operators;
  st->attached = true;
  // The idle timeout counts from when the last stream ended.
  struct detach {
    detach(std::shared_ptr<stream> x, http_session* s) : st(std::move(x)), session(s) {}
    ~detach() {
      st->attached = false;
      session->last_used = clock::now();
    }
    std::shared_ptr<stream> st;
    http_session* session;
  } guard(st, s.get());
  std::uint64_t cursor = after;
  for (;;) {
    // What has been pushed up to here is sent below; anything pushed while
    // we write wakes the wait at the bottom at once.
    const auto seen = st->changed.generation;
    // Copy what is due first: the buffer may change while we write.
    std::vector<std::pair<std::uint64_t, std::string>> due;
    for (const auto& e : st->events)
      if (e.first > cursor) due.push_back(e);
    for (auto& [seq, data] : due) {
      // Once the stream is done nothing more is pushed: its last event ends
      // the response in the same system call.
      const bool last = st->done && seq == st->events.back().first;
      auto id = st->id + "-" + std::to_string(seq);
      result<void> sent;  // (no co_await in a conditional expression: g++ 12 miscompiles it)
      if (last) sent = co_await sse.send_last(std::move(data), std::string(), std::move(id));
      else sent = co_await sse.send(std::move(data), std::string(), std::move(id));
      if (!sent) co_return false;
      cursor = seq;
    }
    if (st->done && (st->events.empty() || cursor >= st->events.back().first)) {
      s->streams.erase(st->id);  // delivered in full
      co_return true;
    }
    if (s->closed) co_return true;
    if (sse.gone()) co_return false;
    if (st->kick) {
      st->kick = false;
      co_return false;  // the stream stays for Last-Event-ID
    }
    auto w = co_await (wait_for(st->changed, self->ex, self->cfg.keepalive, seen) || sse.wait_gone());
    if (w.index() == 1) co_return false;
    if (std::get<0>(w) == woke::timeout) {
      auto pinged = co_await sse.comment("keep-alive");
      if (!pinged) co_return false;
    }
  }
}

awaitable<http::response> http_endpoint::impl::post(std::shared_ptr<impl> self, http::request& req,
                                                    http::response_writer& w) {
  if (!self || self->closing) co_return http::response::error(503, "unavailable", "MCP endpoint closed");
  if (self->too_large(req)) co_return self->too_large_response();
  auto ctype = req.header("Content-Type");
  if (!ctype || !contains_ci(*ctype, "application/json"))
    co_return rpc_failure(415, code::invalid_request, "Content-Type must be application/json");
  const auto acc = parse_accept(req);
  if (!acc.json && !acc.sse)
    co_return rpc_failure(406, code::invalid_request, "Accept must include application/json or text/event-stream");

  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec) co_return rpc_failure(400, code::parse_error, "parse error: " + ec.message());
  std::vector<const json::object*> messages;
  if (auto* arr = body.if_array()) {
    for (const auto& m : *arr) messages.push_back(m.if_object());
  } else {
    messages.push_back(body.if_object());
  }
  if (messages.empty()) co_return rpc_failure(400, code::invalid_request, "empty batch");
  for (const auto* m : messages) {
    const json::value* v = m ? m->if_contains("jsonrpc") : nullptr;
    if (!v || !v->is_string() || v->get_string() != "2.0")
      co_return rpc_failure(400, code::invalid_request, "not a JSON-RPC 2.0 message");
  }
  const bool is_init = !body.is_array() && messages[0]->contains("method") &&
                       messages[0]->at("method") == "initialize";

  std::shared_ptr<http_session> s;
  auto sid = req.header("Mcp-Session-Id");
  if (is_init) {
    if (sid) co_return rpc_failure(400, code::invalid_request, "initialize must not carry an Mcp-Session-Id");
    s = self->create_session(false);
    if (!s) co_return rpc_failure(503, code::internal_error, "too many MCP sessions");
    self->tasks.spawn(run_session(self, s), "mcp http session");
  } else {
    if (!sid) co_return rpc_failure(400, code::invalid_request, "Mcp-Session-Id header is required");
    s = self->find(*sid);
    if (!s || s->legacy) co_return rpc_failure(404, code::invalid_request, "unknown or ended MCP session");
    if (auto v = req.header("MCP-Protocol-Version"); v && !is_supported_version(*v))
      co_return rpc_failure(400, code::invalid_request, "unsupported MCP-Protocol-Version " + std::string(v->substr(0, 64)));
    if (body.is_array() && !(s->mcp->initialized() && version_allows_batches(s->mcp->protocol_version())))
      co_return rpc_failure(400, code::invalid_request, "JSON-RPC batches are not supported in this protocol version");
  }

  std::vector<std::string> request_keys;
  for (const auto* m : messages)
    if (m->contains("method") && m->contains("id") && is_valid_id(m->at("id"))) request_keys.push_back(id_key(m->at("id")));
  if (request_keys.empty()) {
    s->incoming.push_back(std::move(body));
    s->incoming_changed.notify();
    http::response accepted;
    accepted.status = 202;
    co_return accepted;
  }

  for (const auto& key : request_keys)
    if (s->by_request.contains(key))
      co_return rpc_failure(409, code::invalid_request, "a request with this id is still in progress");
  auto st = s->new_stream(false);
  st->json_mode = !acc.sse || (self->cfg.prefers_json && acc.json);
  for (const auto& key : request_keys) {
    st->pending.insert(key);
    s->by_request.emplace(key, st);
  }
  const bool batch = body.is_array();
  s->incoming.push_back(std::move(body));
  s->incoming_changed.notify();

  http::headers extra;
  if (is_init) extra.set("Mcp-Session-Id", s->id);
  if (st->json_mode) {
    while (!st->done && !s->closed) {
      auto w = co_await wait_for(st->changed, self->ex, std::chrono::hours(1));
      if (w == woke::cancelled) break;  // the HTTP server is closing
    }
    s->streams.erase(st->id);
    if (!st->done) co_return rpc_failure(500, code::internal_error, "the MCP session ended");
    json::value out = batch ? json::value(std::move(st->json_responses))
                            : (st->json_responses.empty() ? json::value() : st->json_responses[0]);
    auto r = http::response::json(json::serialize(out));
    for (const auto& [k, v] : extra.entries()) r.headers.set(k, v);
    co_return r;
  }

  // The headers go out with the first event: for a quick answer the head,
  // the response and the end of the body are one write (the keep-alive
  // comment bounds how long a slow handler keeps the client without them).
  http::sse_writer sse(w);
  auto started = co_await sse.start_deferred(std::move(extra));
  if (!started) co_return http::response::no_content();
  // Clients of 2025-11-25 expect a priming event (id, empty data) to resume from.
  if (s->mcp->initialized() && s->mcp->protocol_version() >= "2025-11-25") {
    http::sse_event prime = http::make_sse_event("", "", st->id + "-0");
    prime.retry_ms = static_cast<std::uint64_t>(self->cfg.retry_hint.count());
    auto primed = co_await sse.send(std::move(prime));
    if (!primed) co_return http::response::no_content();
  }
  (void)co_await stream_events(self, s, st, sse, 0);
  co_return http::response::no_content();
}

awaitable<http::response> http_endpoint::impl::get(std::shared_ptr<impl> self, http::request& req,
                                                   http::response_writer& w) {
  if (!self || self->closing) co_return http::response::error(503, "unavailable", "MCP endpoint closed");
  if (!parse_accept(req).sse)
    co_return rpc_failure(406, code::invalid_request, "Accept must include text/event-stream");
  auto sid = req.header("Mcp-Session-Id");
  if (!sid) co_return rpc_failure(400, code::invalid_request, "Mcp-Session-Id header is required");
  auto s = self->find(*sid);
  if (!s || s->legacy) co_return rpc_failure(404, code::invalid_request, "unknown or ended MCP session");

  std::shared_ptr<stream> st;
  std::uint64_t after = 0;
  if (auto last = req.last_event_id()) {
    const auto dash = last->rfind('-');
    if (dash != std::string_view::npos) {
      if (auto it = s->streams.find(std::string(last->substr(0, dash))); it != s->streams.end()) {
        st = it->second;
        try {
          after = std::stoull(std::string(last->substr(dash + 1)));
        } catch (...) {
          after = 0;
        }
      }
    }
  }
  if (!st) st = s->standalone_stream();
  if (st->attached) co_return rpc_failure(409, code::invalid_request, "this stream is already open");
  http::sse_writer sse(w);
  auto started = co_await sse.start();
  if (!started) co_return http::response::no_content();
  (void)co_await stream_events(self, s, st, sse, after);
  co_return http::response::no_content();
}

awaitable<http::response> http_endpoint::impl::del(std::shared_ptr<impl> self, http::request& req,
                                                   http::response_writer&) {
  if (!self) co_return http::response::error(503, "unavailable", "MCP endpoint closed");
  auto sid = req.header("Mcp-Session-Id");
  if (!sid) co_return rpc_failure(400, code::invalid_request, "Mcp-Session-Id header is required");
  auto s = self->find(*sid);
  if (!s || s->legacy) co_return rpc_failure(404, code::invalid_request, "unknown or ended MCP session");
  self->drop(s);
  co_return http::response::text("", 200);
}

awaitable<http::response> http_endpoint::impl::legacy_get(std::shared_ptr<impl> self, http::request& req,
                                                          http::response_writer& w) {
  if (!self || self->closing) co_return http::response::error(503, "unavailable", "MCP endpoint closed");
  if (!parse_accept(req).sse && req.header("Accept"))
    co_return http::response::error(406, "not_acceptable", "Accept must include text/event-stream");
  auto s = self->create_session(true);
  if (!s) co_return http::response::error(503, "unavailable", "too many MCP sessions");
  self->tasks.spawn(run_session(self, s), "mcp sse session");
  http::sse_writer sse(w);
  auto started = co_await sse.start();
  if (!started) {
    self->drop(s);
    co_return http::response::no_content();
  }
  // The SSE connection is the session: it ends with it, however the handler ends.
  struct end_session {
    end_session(std::shared_ptr<impl> i, std::shared_ptr<http_session> x) : self(std::move(i)), s(std::move(x)) {}
    ~end_session() {
      if (st) st->attached = false;
      self->drop(s);
    }
    std::shared_ptr<impl> self;
    std::shared_ptr<http_session> s;
    std::shared_ptr<stream> st;
  } guard(self, s);
  auto announced = co_await sse.send(self->cfg.legacy_post_path + "?sessionId=" + s->id, "endpoint", "");
  if (announced) {
    // 2024-11-05 streams carry every message as a `message` event (no ids).
    auto st = s->standalone_stream();
    guard.st = st;
    st->attached = true;
    std::uint64_t cursor = 0;
    while (!s->closed && !sse.gone()) {
      const auto seen = st->changed.generation;  // as in stream_events
      std::vector<std::pair<std::uint64_t, std::string>> due;
      for (const auto& e : st->events)
        if (e.first > cursor) due.push_back(e);
      bool failed = false;
      for (auto& [seq, data] : due) {
        auto sent = co_await sse.send(std::move(data), "message", "");
        if (!sent) {
          failed = true;
          break;
        }
        cursor = seq;
      }
      if (failed) break;
      // Delivered: the buffer need not keep them.
      while (!st->events.empty() && st->events.front().first <= cursor) st->events.pop_front();
      using namespace asio::experimental::awaitable_operators;
      auto woken = co_await (wait_for(st->changed, self->ex, self->cfg.keepalive, seen) || sse.wait_gone());
      if (woken.index() == 1) break;
      if (std::get<0>(woken) == woke::timeout) {
        auto pinged = co_await sse.comment("keep-alive");
        if (!pinged) break;
      }
    }
  }
  co_return http::response::no_content();
}

awaitable<http::response> http_endpoint::impl::legacy_post(std::shared_ptr<impl> self, http::request& req,
                                                           http::response_writer&) {
  if (self && self->too_large(req)) co_return self->too_large_response();
  if (!self) co_return http::response::error(503, "unavailable", "MCP endpoint closed");
  auto sid = req.query_param("sessionId");
  if (!sid) co_return http::response::error(400, "bad_request", "sessionId query parameter is required");
  auto s = self->find(*sid);
  if (!s || !s->legacy) co_return http::response::error(404, "not_found", "unknown or ended MCP session");
  boost::system::error_code ec;
  json::value body = json::parse(req.body, ec);
  if (ec) co_return rpc_failure(400, code::parse_error, "parse error: " + ec.message());
  s->incoming.push_back(std::move(body));
  s->incoming_changed.notify();
  co_return http::response::text("Accepted", 202);
}

std::shared_ptr<http_endpoint> http_endpoint::mount(http::server& srv, std::shared_ptr<server> mcp, http_config cfg) {
  auto p = std::make_shared<impl>(srv.get_executor(), std::move(mcp), std::move(cfg));
  std::weak_ptr<impl> weak = p;
  const auto& c = p->cfg;
  srv.post(c.path, [weak](http::request& r, http::response_writer& w) { return impl::post(weak.lock(), r, w); });
  srv.get(c.path, [weak](http::request& r, http::response_writer& w) { return impl::get(weak.lock(), r, w); });
  srv.del(c.path, [weak](http::request& r, http::response_writer& w) { return impl::del(weak.lock(), r, w); });
  if (!c.legacy_sse_path.empty()) {
    srv.get(c.legacy_sse_path,
            [weak](http::request& r, http::response_writer& w) { return impl::legacy_get(weak.lock(), r, w); });
    srv.post(c.legacy_post_path,
             [weak](http::request& r, http::response_writer& w) { return impl::legacy_post(weak.lock(), r, w); });
  }
  p->start_sweeper(p);
  return std::shared_ptr<http_endpoint>(new http_endpoint(std::move(p)));
}

std::shared_ptr<http_endpoint> http_endpoint::mount(http::route_group group, executor ex, std::shared_ptr<server> mcp,
                                                    http_config cfg) {
  auto p = std::make_shared<impl>(std::move(ex), std::move(mcp), std::move(cfg));
  std::weak_ptr<impl> weak = p;
  const auto& c = p->cfg;
  group.post(c.path, [weak](http::request& r, http::response_writer& w) { return impl::post(weak.lock(), r, w); });
  group.get(c.path, [weak](http::request& r, http::response_writer& w) { return impl::get(weak.lock(), r, w); });
  group.del(c.path, [weak](http::request& r, http::response_writer& w) { return impl::del(weak.lock(), r, w); });
  if (!c.legacy_sse_path.empty()) {
    group.get(c.legacy_sse_path,
              [weak](http::request& r, http::response_writer& w) { return impl::legacy_get(weak.lock(), r, w); });
    group.post(c.legacy_post_path,
               [weak](http::request& r, http::response_writer& w) { return impl::legacy_post(weak.lock(), r, w); });
  }
  p->start_sweeper(p);
  return std::shared_ptr<http_endpoint>(new http_endpoint(std::move(p)));
}

http_endpoint::~http_endpoint() {
  impl_->stop_sweeper();
  for (auto& [sid, s] : impl_->sessions) s->close();
}

awaitable<void> http_endpoint::close() {
  impl_->stop_sweeper();
  auto sessions = impl_->sessions;
  for (auto& [sid, s] : sessions) s->close();
  co_await impl_->tasks.join();
  impl_->sessions.clear();
}

std::size_t http_endpoint::session_count() const { return impl_->sessions.size(); }

}  // namespace agentp2p::mcp
