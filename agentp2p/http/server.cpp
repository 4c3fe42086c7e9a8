#include "agentp2p/http/server.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <list>
#include <optional>
#include <unordered_set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/http/beast_io.hpp"
#include "agentp2p/http/io_deadline.hpp"
#include "agentp2p/http/route_pattern.hpp"

namespace agentp2p::http {

namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using beast_request = bhttp::request<bhttp::string_body>;
using beast_response = bhttp::response<bhttp::string_body>;

namespace {

struct route {
  std::string method;
  route_pattern pattern;
  handler fn;
  std::shared_ptr<access_policy> policy;
};

// One accepted connection. Lives in the coroutine serving it (shared with
// the stream watcher and the server's close()).
struct connection {
  explicit connection(tcp::socket s)
      : socket(std::move(s)),
        deadline(socket),
        gone_signal(socket.get_executor(), asio::steady_timer::time_point::max()) {}

  void mark_gone() {
    if (gone) return;
    gone = true;
    gone_signal.cancel();
  }

  tcp::socket socket;
  io_deadline deadline;  // of the serve loop's current read or write
  std::string remote;
  bool reading = false;    // waiting for / reading a request: close() may cut it off
  // Since when it has been waiting for (or reading) its current request, and
  // whether it ever completed one: at the connection limit the server evicts
  // the reader that has been slowest, never-served ones first (slowloris).
  asio::steady_timer::time_point reading_since = asio::steady_timer::clock_type::now();
  bool served_any = false;
  bool evicted = false;
  bool streaming = false;  // a handler took over the body
  bool gone = false;
  asio::steady_timer gone_signal;     // cancelled when gone
};

counters::counter& header_limit_hit() {
  static auto& c = counters::limit("http", "header_too_large", "HTTP requests refused (431): headers over max_header_bytes");
  return c;
}
counters::counter& body_limit_hit() {
  static auto& c = counters::limit("http", "body_too_large", "HTTP requests refused (413): body over max_body_bytes");
  return c;
}
counters::counter& connection_limit_hit() {
  static auto& c = counters::limit("http", "connections_refused", "HTTP connections refused (503): max_connections open");
  return c;
}
void count_refusal(counters::counter& c, const std::string& message) { counters::count_and_log(c, message); }

struct route_match {
  const route* found = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::string allow;  // methods of routes whose pattern matched, for 405
};

route_match find_route(const std::vector<std::unique_ptr<route>>& routes, std::string_view method,
                       std::string_view raw_path) {
  route_match m;
  int best = -1;
  for (const auto& r : routes) {
    auto params = r->pattern.match(raw_path);
    if (!params) continue;
    if (r->method != "*" && r->method != method) {
      if (m.allow.find(r->method) == std::string::npos) {
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += r->method;
      }
      continue;
    }
    if (r->pattern.specificity() > best) {
      best = r->pattern.specificity();
      m.found = r.get();
      m.params = std::move(*params);
    }
  }
  return m;
}

std::string_view strip_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool is_loopback_name(std::string_view host) {
  return iequals(host, "localhost") || host == "127.0.0.1" || host == "[::1]" || host == "::1";
}

// "http://localhost:3000" → host part "localhost".
std::optional<std::string_view> origin_host(std::string_view origin) {
  auto sep = origin.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  std::string_view scheme = origin.substr(0, sep);
  if (!iequals(scheme, "http") && !iequals(scheme, "https")) return std::nullopt;
  std::string_view rest = origin.substr(sep + 3);
  if (rest.find('/') != std::string_view::npos) return std::nullopt;
  return strip_port(rest);
}

// Comparison time does not depend on where the strings differ.
bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

request to_request(beast_request&& msg, const std::string& remote) {
  request r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  std::string_view target = r.target;
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  auto decoded = percent_decode(raw_path);
  r.path = decoded ? std::move(*decoded) : std::string(raw_path);
  if (q != std::string_view::npos) r.query = parse_query(target.substr(q + 1));
  for (const auto& f : msg) r.headers.add(f.name_string(), f.value());
  r.body = std::move(msg.body());
  r.remote = remote;
  return r;
}

// Takes the response by value: its body moves into Beast's message (an answer
// is written once; copying it cost a malloc and a memcpy per response).
beast_response to_beast(response res, bool keep_alive, const std::string& server_name) {
  beast_response out;
  out.version(11);
  out.result(static_cast<unsigned>(res.status));
  out.reason(reason_phrase(res.status));
  for (const auto& [n, v] : res.headers.entries()) out.insert(n, v);
  if (!res.headers.has("Server")) out.set(bhttp::field::server, server_name);
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

bhttp::response<bhttp::empty_body> stream_head(int status, const headers& hs, bool keep_alive,
                                               const std::string& server_name) {
  bhttp::response<bhttp::empty_body> out;
  out.version(11);
  out.result(static_cast<unsigned>(status));
  out.reason(reason_phrase(status));
  for (const auto& [n, v] : hs.entries())
    if (!iequals(n, "Content-Length") && !iequals(n, "Transfer-Encoding")) out.insert(n, v);
  if (!hs.has("Server")) out.set(bhttp::field::server, server_name);
  out.keep_alive(keep_alive);
  out.chunked(true);
  return out;
}

awaitable<result<void>> write_message(tcp::socket& s, beast_response msg) {
  auto [ec, n] = co_await bhttp::async_write(s, msg, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http: writing response");
  co_return ok();
}

// A HEAD request is answered with what GET would send, without the body
// (RFC 9110 9.3.2): the header block only, Content-Length included.
awaitable<result<void>> write_message_head(tcp::socket& s, beast_response msg) {
  bhttp::response_serializer<bhttp::string_body> sr(msg);
  auto [ec, n] = co_await bhttp::async_write_header(s, sr, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http: writing response header");
  co_return ok();
}

awaitable<result<void>> write_response(tcp::socket& s, beast_response msg, bool head_only) {
  if (head_only) co_return co_await write_message_head(s, std::move(msg));
  co_return co_await write_message(s, std::move(msg));
}

awaitable<result<void>> write_buffers(tcp::socket& s, std::array<asio::const_buffer, 5> parts, std::string_view what) {
  auto [ec, n] = co_await asio::async_write(s, parts, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, std::string(what));
  co_return ok();
}

// The status line and header fields as sent on the wire (ending in CRLF CRLF).
std::string head_text(const bhttp::response<bhttp::empty_body>& msg) {
  std::string out;
  out.reserve(256);
  out += "HTTP/1.1 ";
  out += std::to_string(msg.result_int());
  out += ' ';
  out.append(msg.reason().data(), msg.reason().size());
  out += "\r\n";
  for (const auto& f : msg) {
    out.append(f.name_string().data(), f.name_string().size());
    out += ": ";
    out.append(f.value().data(), f.value().size());
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

awaitable<result<void>> write_raw(tcp::socket& s, std::string data) {
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(data), asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http: write");
  co_return ok();
}

awaitable<result<void>> read_discard(tcp::socket& s, std::size_t limit) {
  std::array<char, 8192> buf;
  std::size_t total = 0;
  while (total < limit) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    total += n;
  }
  co_return ok();
}

// After an error response on a request whose body we did not read: stop
// sending, drain what the client still sends for a moment so that closing
// does not reset the connection before it reads our answer.
awaitable<void> linger_close(tcp::socket& s) {
  boost::system::error_code ignored;
  s.shutdown(tcp::socket::shutdown_send, ignored);
  auto r = co_await with_deadline(read_discard(s, 16 * 1024 * 1024), std::chrono::seconds(1), "http: draining");
  (void)r;
  s.close(ignored);
}

class connection_writer final : public response_writer {
 public:
  connection_writer(tcp::socket& socket, connection& c, const http::request& req, const config& cfg, bool keep_alive)
      : socket_(socket), c_(c), req_(req), cfg_(cfg), keep_alive_(keep_alive) {}

  awaitable<result<void>> start(int status, http::headers hs) override {
    AP_CO_TRYV(begin(status, hs));
    AP_CO_TRYV(co_await write_gathered({}, false, "http: writing response header"));
    if (req_.method == "HEAD") finished_ = true;  // the header was the whole answer
    co_return ok();
  }

  awaitable<result<void>> start_deferred(int status, http::headers hs) override {
    if (req_.method == "HEAD") co_return co_await start(status, std::move(hs));  // the header is the whole answer
    co_return begin(status, hs);
  }

  awaitable<result<void>> write(std::string data) override {
    if (!started_) co_return make_error(errc::invalid_argument, "http: write() before start()");
    if (finished_ && req_.method == "HEAD") co_return make_error(errc::closed, "http: a HEAD response has no body");
    if (finished_) co_return make_error(errc::closed, "http: response already finished");
    if (c_.gone) co_return make_error(errc::closed, "http: the client went away");
    if (data.empty()) co_return ok();  // an empty chunk would end the body
    co_return co_await write_gathered(data, false, "http: writing to client");
  }

  awaitable<result<void>> write_last(std::string data) override {
    if (!started_) co_return make_error(errc::invalid_argument, "http: write_last() before start()");
    if (finished_) co_return make_error(errc::closed, "http: response already finished");
    finished_ = true;
    if (c_.gone) co_return make_error(errc::closed, "http: the client went away");
    co_return co_await write_gathered(data, true, "http: writing to client");
  }

  awaitable<result<void>> finish() override {
    if (!started_) co_return make_error(errc::invalid_argument, "http: finish() before start()");
    if (finished_) co_return ok();
    finished_ = true;
    if (c_.gone) co_return make_error(errc::closed, "http: the client went away");
    co_return co_await write_gathered({}, true, "http: ending response");
  }

  bool started() const override { return started_; }
  bool finished() const { return finished_; }
  int status() const { return status_; }
  bool gone() const override { return c_.gone; }

  awaitable<void> wait_gone() override {
    while (!c_.gone) {
      (void)co_await c_.gone_signal.async_wait(asio::as_tuple(asio::use_awaitable));
      auto cs = co_await asio::this_coro::cancellation_state;
      if (cs.cancelled() != asio::cancellation_type::none) co_return;
    }
  }

  const http::request& request() const override { return req_; }

 private:
  tcp::socket& socket_;
  connection& c_;
  const http::request& req_;
  const config& cfg_;
  // The response starts: its status line and headers are kept in head_
  // until write_gathered() sends them.
  result<void> begin(int status, const http::headers& hs) {
    if (started_) return make_error(errc::invalid_argument, "http: response already started");
    if (c_.gone) return make_error(errc::closed, "http: the client went away");
    started_ = true;
    status_ = status;
    head_ = head_text(stream_head(status, hs, keep_alive_, cfg_.server_header));
    c_.streaming = true;
    return ok();
  }

  // Every write of a streamed response, in one system call: the head if it
  // has not gone yet, a chunk of `data` (none when empty) and, when `last`,
  // the end of the body. `what` names it in errors.
  awaitable<result<void>> write_gathered(std::string_view data, bool last, std::string_view what) {
    static constexpr char crlf[] = "\r\n";
    static constexpr char last_chunk[] = "0\r\n\r\n";
    char size_line[20];
    const auto size_len = data.empty() ? 0 : static_cast<std::size_t>(
        std::snprintf(size_line, sizeof size_line, "%zx\r\n", data.size()));
    const std::array<asio::const_buffer, 5> parts{
        asio::buffer(head_), asio::buffer(size_line, size_len), asio::buffer(data.data(), data.size()),
        asio::buffer(crlf, data.empty() ? 0 : 2), asio::buffer(last_chunk, last ? 5 : 0)};
    auto r = co_await with_deadline(write_buffers(socket_, parts, what), cfg_.write_timeout, what);
    if (!head_.empty()) std::string().swap(head_);
    if (!r) c_.mark_gone();
    co_return r;
  }

  bool keep_alive_;
  bool started_ = false;
  int status_ = 0;
  bool finished_ = false;
  std::string head_;  // a deferred status line and headers, not yet sent
};

// While a handler runs, notices the client closing its side. A streaming
// handler learns it from its writer (gone(), failed writes) and finishes on
// its own; a handler that has not started a response is cancelled, so work
// nobody will read is not finished. A plain callback on the socket (not a
// coroutine raced against the handler with ||: two spawned coroutines, a
// parallel group and a parked timer per request).
struct handler_watch {
  asio::cancellation_signal stop;  // cancels the handler's coroutine
  bool done = false;               // the handler finished: the socket is ours again
  bool fired = false;              // the wait completed
  bool cancelled = false;          // the client left before an answer: the handler was cancelled
};

void watch_for_disconnect(const std::shared_ptr<connection>& c, const std::shared_ptr<handler_watch>& w) {
  c->socket.async_wait(tcp::socket::wait_read, [c, w](const boost::system::error_code& ec) {
    w->fired = true;
    if (w->done) return;
    boost::system::error_code aec;
    std::size_t avail = ec ? 0 : c->socket.available(aec);
    // Readable with nothing to read: end of stream (or an error). Otherwise
    // the client sent more (a pipelined request): leave it in the socket.
    if (ec || aec || avail == 0) {
      c->mark_gone();
      if (!c->streaming) {
        w->cancelled = true;
        w->stop.emit(asio::cancellation_type::terminal);
      }
    }
  });
}

awaitable<response> call_handler(const handler* fn, request* req, connection_writer* w) {
  try {
    co_return co_await (*fn)(*req, *w);
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted)
      log::error("http: handler for " + req->method + " " + req->path + " failed: " + e.what());
  } catch (const std::exception& e) {
    log::error("http: handler for " + req->method + " " + req->path + " failed: " + e.what());
  }
  co_return response::error(500, "internal_error", "the handler for this request failed; see the server log");
}

awaitable<result<void>> join_ok(task_group& g) {
  co_await g.join();
  co_return ok();
}

}  // namespace

std::optional<response> check_access(const access_policy& p, const request& req, bool loopback_only) {
  if (p.check_host && (loopback_only || !p.allowed_hosts.empty())) {
    auto host = req.header("Host");
    if (!host) return response::error(400, "missing_host", "the request has no Host header (HTTP/1.1 requires one)");
    std::string_view name = strip_port(*host);
    bool allowed = is_loopback_name(name);
    for (const auto& h : p.allowed_hosts) allowed = allowed || iequals(h, name);
    if (!allowed)
      return response::error(403, "forbidden_host",
                             "Host '" + std::string(host->substr(0, 200)) +
                                 "' is not allowed: this server listens on loopback only; connect via "
                                 "localhost or 127.0.0.1, or add the name to the allowed hosts");
  }
  if (auto origin = req.header("Origin"); origin && !p.allow_any_origin) {
    bool allowed = false;
    if (p.allow_loopback_origins) {
      auto h = origin_host(*origin);
      allowed = h && is_loopback_name(*h);
    }
    for (const auto& o : p.allowed_origins) allowed = allowed || iequals(o, *origin);
    if (!allowed)
      return response::error(403, "forbidden_origin",
                             "Origin '" + std::string(origin->substr(0, 200)) +
                                 "' is not allowed; only local pages may call this server unless the origin is "
                                 "added to the allowed origins");
  }
  if (!p.bearer_token.empty()) {
    auto token = req.bearer_token();
    if (!token || !constant_time_equals(*token, p.bearer_token)) {
      auto r = response::error(401, "unauthorized",
                               token ? "the bearer token is not valid for this server"
                                     : "this server needs 'Authorization: Bearer <token>' (see the http token in "
                                       "the node's configuration)");
      r.headers.set("WWW-Authenticate", token ? R"(Bearer realm="agentp2p", error="invalid_token")"
                                              : R"(Bearer realm="agentp2p")");
      return r;
    }
  }
  return std::nullopt;
}

struct server::impl : std::enable_shared_from_this<impl> {
  impl(executor e, config c) : ex(std::move(e)), cfg(std::move(c)), tasks(ex) {}

  executor ex;
  config cfg;
  std::vector<std::unique_ptr<route>> routes;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<listen_endpoint> bound;
  task_group tasks;
  std::unordered_set<connection*> conns;
  std::size_t evicting = 0;  // evicted connections still unwinding (in conns until then)
  std::size_t rejecting = 0;
  bool loopback_only = true;
  bool started = false;
  bool closing = false;
  bool closed = false;

  awaitable<void> accept_loop(std::size_t idx);
  bool evict_slowest_reader();
  awaitable<void> serve(std::shared_ptr<connection> c);
  awaitable<void> reject(tcp::socket s);
  awaitable<void> close();
};

awaitable<void> server::impl::reject(tcp::socket s) {
  auto self = shared_from_this();
  ++rejecting;
  auto body = error_body("too_many_connections", "the server has reached its connection limit (" +
                                                     std::to_string(cfg.max_connections) + "); retry later");
  std::string msg = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    "Retry-After: 1\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  auto r = co_await with_deadline(write_raw(s, std::move(msg)), std::chrono::seconds(1), "http: refusing connection");
  (void)r;
  co_await linger_close(s);
  --rejecting;
}

bool server::impl::evict_slowest_reader() {
  connection* victim = nullptr;
  for (auto* c : conns) {
    if (!c->reading || c->evicted) continue;
    if (!victim || (!c->served_any && victim->served_any) ||
        (c->served_any == victim->served_any && c->reading_since < victim->reading_since))
      victim = c;
  }
  if (!victim) return false;
  static auto& evicted = counters::get("http", "slow_clients_evicted",
                                       "HTTP connections closed at the connection limit to admit a new one "
                                       "(the one waiting longest for its request)");
  counters::count_and_log(evicted, "http: connection limit (" + std::to_string(cfg.max_connections) +
                                     ") reached; closing the connection waiting longest for its request (" +
                                     victim->remote + ")");
  victim->evicted = true;
  ++evicting;
  boost::system::error_code ignored;
  victim->socket.cancel(ignored);
  return true;
}

awaitable<void> server::impl::accept_loop(std::size_t idx) {
  auto self = shared_from_this();
  tcp::acceptor& acc = *acceptors[idx];
  while (!closing) {
    auto [ec, sock] = co_await acc.async_accept(asio::as_tuple(asio::use_awaitable));
    if (closing) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      // Out of descriptors and the like: back off instead of spinning.
      log::warn("http: accept failed: " + ec.message());
      asio::steady_timer t(ex, std::chrono::milliseconds(50));
      auto [tec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      (void)tec;
      continue;
    }
    // At the limit, a connection that is only waiting for (or trickling in) a
    // request makes room: otherwise a slowloris client holding every slot
    // with half-sent headers would lock everyone out until header_timeout.
    if (conns.size() - evicting >= cfg.max_connections && !evict_slowest_reader()) {
      boost::system::error_code rec;
      auto rep = sock.remote_endpoint(rec);
      count_refusal(connection_limit_hit(), "http: refusing a connection from " +
                                                (rec ? std::string("?") : rep.address().to_string()) + ": " +
                                                std::to_string(conns.size()) + " open (limit " +
                                                std::to_string(cfg.max_connections) + ")");
      if (rejecting < 64) {
        tasks.spawn(reject(std::move(sock)), "http reject");
      } else {
        boost::system::error_code ignored;
        sock.close(ignored);
      }
      continue;
    }
    auto c = std::make_shared<connection>(std::move(sock));
    conns.insert(c.get());  // counted at once, so a burst cannot overshoot the limit
    tasks.spawn(serve(std::move(c)), "http connection");
  }
}

awaitable<void> server::impl::serve(std::shared_ptr<connection> c) {
  using namespace asio::experimental::awaitable_operators;
  auto self = shared_from_this();
  struct unregister {
    unregister(impl* s, connection* c) : s(s), c(c) {}
    ~unregister() {
      c->deadline.stop();  // however serve() ends: the timer lets go of the connection
      s->conns.erase(c);
      if (c->evicted) --s->evicting;
    }
    impl* s;
    connection* c;
  } guard(this, c.get());
  {
    boost::system::error_code ec;
    auto ep = c->socket.remote_endpoint(ec);
    if (!ec) c->remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    c->socket.set_option(tcp::no_delay(true), ec);
  }
  boost::beast::flat_buffer buffer;
  std::size_t served = 0;
  bool close_gracefully = false;  // linger so the client reads our error
  while (!closing && !c->evicted) {
    c->reading = true;
    c->reading_since = asio::steady_timer::clock_type::now();
    if (buffer.size() == 0) {
      auto wait = served == 0 ? cfg.header_timeout : cfg.idle_timeout;
      c->deadline.arm(wait, c);
      auto first = co_await read_some_into(c->socket, buffer);
      if (!first) break;
    }
    std::optional<bhttp::request_parser<bhttp::string_body>> parser;
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(cfg.max_header_bytes, UINT32_MAX)));
    parser->body_limit(cfg.max_body_bytes);
    c->deadline.arm(cfg.header_timeout, c);
    auto head = co_await read_request_header(c->socket, buffer, *parser);
    std::optional<response> early;
    if (!head) {
      c->reading = false;
      auto kind = classify_read_error(head.error());
      if (kind == read_failure::header_too_large) {
        count_refusal(header_limit_hit(), "http: request headers from " + c->remote + " exceed " +
                                              std::to_string(cfg.max_header_bytes) + " bytes (431)");
        early = response::error(431, "headers_too_large",
                                "the request headers exceed " + std::to_string(cfg.max_header_bytes) + " bytes");
      } else if (kind == read_failure::body_too_large) {
        count_refusal(body_limit_hit(), "http: request body from " + c->remote + " exceeds " +
                                            std::to_string(cfg.max_body_bytes) + " bytes (413)");
        early = response::error(413, "body_too_large",
                                "the request body exceeds the limit of " + std::to_string(cfg.max_body_bytes) + " bytes");
      }
      else if (kind == read_failure::malformed)
        early = response::error(400, "bad_request", "malformed HTTP request: " + head.error().message);
      else
        break;  // timeout (slow client), disconnect, cancellation: just close
    }
    if (!early && !parser->is_done()) {
      if (auto expect = parser->get()[bhttp::field::expect]; iequals(expect, "100-continue")) {
        c->deadline.arm(cfg.write_timeout, c);
        auto cont = co_await write_raw(c->socket, "HTTP/1.1 100 Continue\r\n\r\n");
        if (!cont) break;
      }
      c->deadline.arm(cfg.body_timeout, c);
      auto body = co_await read_request_body(c->socket, buffer, *parser);
      if (!body) {
        c->reading = false;
        auto kind = classify_read_error(body.error());
        if (kind == read_failure::body_too_large) {
          count_refusal(body_limit_hit(), "http: request body from " + c->remote + " exceeds " +
                                              std::to_string(cfg.max_body_bytes) + " bytes (413)");
          early = response::error(413, "body_too_large",
                                  "the request body exceeds the limit of " + std::to_string(cfg.max_body_bytes) +
                                      " bytes");
        } else if (kind == read_failure::malformed)
          early = response::error(400, "bad_request", "malformed HTTP request body: " + body.error().message);
        else
          break;
      }
    }
    c->reading = false;
    if (early) {
      c->deadline.arm(cfg.write_timeout, c);
      auto wr = co_await write_message(c->socket, to_beast(std::move(*early), false, cfg.server_header));
      close_gracefully = wr.has_value();
      break;
    }
    ++served;
    c->served_any = true;
    auto msg = parser->release();
    bool keep_alive = msg.keep_alive() && served < cfg.max_requests_per_connection;
    request req = to_request(std::move(msg), c->remote);
    std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
    const bool head_only = req.method == "HEAD";
    auto match = find_route(routes, req.method, raw_path);
    if (head_only && !match.found) {
      // HEAD is answered by the GET route (without the body).
      auto as_get = find_route(routes, "GET", raw_path);
      if (as_get.found) match = std::move(as_get);
    }
    if (!match.found && match.allow.find("GET") != std::string::npos && match.allow.find("HEAD") == std::string::npos)
      match.allow += ", HEAD";
    std::optional<response> res;
    const route* chosen = match.found;
    if (!chosen) {
      if (!match.allow.empty()) {
        res = response::error(405, "method_not_allowed",
                              req.method + " is not supported on " + req.path + "; use " + match.allow);
        res->headers.set("Allow", match.allow);
      } else {
        res = response::error(404, "not_found", "no such endpoint: " + req.path);
      }
    } else {
      req.params = std::move(match.params);
      res = check_access(*chosen->policy, req, loopback_only);
    }
    if (res) {
      if (cfg.on_response) cfg.on_response(req, res->status);
      c->deadline.arm(cfg.write_timeout, c);
      auto wr = co_await write_response(c->socket, to_beast(std::move(*res), keep_alive && !closing, cfg.server_header), head_only);
      if (!wr || !keep_alive) break;
      continue;
    }
    // Keep the handler alive for this request: routes are never removed, but
    // copy the function so a handler may add routes while it runs.
    handler fn = chosen->fn;
    c->deadline.disarm();  // a handler takes as long as it takes (streams bound their own writes)
    connection_writer writer(c->socket, *c, req, cfg, keep_alive);
    auto watch = std::make_shared<handler_watch>();
    watch_for_disconnect(c, watch);
    // Cancelling this coroutine (close() past its grace period) cancels the
    // handler too: its coroutine is bound to the watch's signal.
    auto cs = co_await asio::this_coro::cancellation_state;
    auto parent = cs.slot();
    if (parent.is_connected())
      parent.assign([w = watch.get()](asio::cancellation_type t) { w->stop.emit(t); });
    auto [failed, answer] = co_await asio::co_spawn(
        c->socket.get_executor(), call_handler(&fn, &req, &writer),
        asio::bind_cancellation_slot(watch->stop.slot(), asio::as_tuple(asio::use_awaitable)));
    (void)failed;  // call_handler catches what the handler throws
    if (parent.is_connected()) parent.clear();
    watch->done = true;
    if (!watch->fired) {
      // End the wait (nothing else is pending on the socket now).
      boost::system::error_code ignored;
      c->socket.cancel(ignored);
    }
    if (writer.started()) {
      if (cfg.on_response) cfg.on_response(req, writer.status());
      bool intact = !c->gone;
      if (intact) {
        auto fin = co_await writer.finish();
        intact = fin.has_value();
      }
      c->streaming = false;
      if (!intact || !keep_alive || closing) break;
      continue;
    }
    if (watch->cancelled) {
      // The client went away before an answer: the handler was cancelled.
      // 499 (nginx's "client closed request") tells metrics what happened.
      if (cfg.on_response) cfg.on_response(req, 499);
      log::debug("http: " + req.method + " " + req.path + ": the client closed the connection; handler cancelled");
      break;
    }
    response out = std::move(answer);
    if (cfg.on_response) cfg.on_response(req, out.status);
    c->deadline.arm(cfg.write_timeout, c);
    auto wr = co_await write_response(c->socket, to_beast(std::move(out), keep_alive && !closing, cfg.server_header), head_only);
    if (!wr || !keep_alive) break;
  }
  c->reading = false;
  if (close_gracefully && !closing) {
    c->reading = true;  // close() may cut the drain short
    co_await linger_close(c->socket);
  } else {
    boost::system::error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
  }
}

awaitable<void> server::impl::close() {
  auto self = shared_from_this();
  if (closed) co_return;
  closing = true;
  for (auto& a : acceptors) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  for (auto* c : conns) {
    boost::system::error_code ignored;
    if (c->reading) {
      c->socket.cancel(ignored);
    } else if (c->streaming) {
      c->mark_gone();
      c->socket.shutdown(tcp::socket::shutdown_both, ignored);
      c->socket.cancel(ignored);
    }
  }
  auto joined = co_await with_deadline(join_ok(tasks), cfg.close_timeout, "http server close");
  if (!joined) {
    log::warn("http: handlers still running after " + describe_duration(cfg.close_timeout) + "; cancelling them");
    tasks.cancel();
    co_await tasks.join();
  }
  closed = true;
}

// --- server ----------------------------------------------------------------

server::server(executor ex, config cfg) : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}

server::~server() {
  impl_->closing = true;
  for (auto& a : impl_->acceptors) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  impl_->tasks.cancel();
}

void server::add_route(std::string method, std::string pattern, handler h, std::shared_ptr<access_policy> policy) {
  std::transform(method.begin(), method.end(), method.begin(), [](unsigned char ch) { return std::toupper(ch); });
  impl_->routes.push_back(std::make_unique<route>(route{std::move(method), route_pattern(pattern), std::move(h),
                                                        std::move(policy)}));
}

server& server::add(std::string method, std::string pattern, handler h) {
  add_route(std::move(method), std::move(pattern), std::move(h), std::make_shared<access_policy>(impl_->cfg.policy));
  return *this;
}

route_group server::group(access_policy policy) {
  return route_group(*this, std::make_shared<access_policy>(std::move(policy)));
}

route_group& route_group::add(std::string method, std::string pattern, handler h) {
  server_->add_route(std::move(method), std::move(pattern), std::move(h), policy_);
  return *this;
}

result<void> server::start() {
  auto& d = *impl_;
  if (d.started) return make_error(errc::invalid_argument, "http server already started");
  if (d.cfg.listen.empty()) return make_error(errc::invalid_argument, "http server has no listen endpoint");
  for (const auto& le : d.cfg.listen) {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(le.address, ec);
    if (ec) return make_error(errc::invalid_argument, "http: '" + le.address + "' is not an IP address");
    tcp::endpoint ep(addr, le.port);
    auto acc = std::make_unique<tcp::acceptor>(d.ex);
    acc->open(ep.protocol(), ec);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && addr.is_v6()) acc->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      d.acceptors.clear();
      d.bound.clear();
      return make_error(errc::io_error, "http: cannot listen on " + le.address + ":" + std::to_string(le.port) +
                                            ": " + ec.message());
    }
    auto local = acc->local_endpoint(ec);
    d.bound.push_back(listen_endpoint{local.address().to_string(), local.port()});
    if (!addr.is_loopback()) d.loopback_only = false;
    d.acceptors.push_back(std::move(acc));
  }
  d.started = true;
  for (std::size_t i = 0; i < d.acceptors.size(); ++i) d.tasks.spawn(d.accept_loop(i), "http accept");
  return ok();
}

std::vector<listen_endpoint> server::local_endpoints() const { return impl_->bound; }

std::uint16_t server::port() const { return impl_->bound.empty() ? 0 : impl_->bound.front().port; }

std::string server::url() const {
  if (impl_->bound.empty()) return {};
  const auto& e = impl_->bound.front();
  std::string host = e.address;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(e.port);
}

awaitable<void> server::close() {
  auto d = impl_;
  co_await d->close();
}

std::size_t server::connection_count() const { return impl_->conns.size(); }
const config& server::settings() const { return impl_->cfg; }
executor server::get_executor() const { return impl_->ex; }

// --- sse_writer ------------------------------------------------------------

namespace {

http::headers sse_headers(http::headers extra) {
  extra.set("Content-Type", "text/event-stream");
  if (!extra.has("Cache-Control")) extra.set("Cache-Control", "no-cache");
  // Tell buffering reverse proxies (nginx) to pass events through at once.
  if (!extra.has("X-Accel-Buffering")) extra.set("X-Accel-Buffering", "no");
  return extra;
}

}  // namespace

awaitable<result<void>> sse_writer::start() { return w_.start(200, sse_headers(http::headers())); }

awaitable<result<void>> sse_writer::start(http::headers extra) { return w_.start(200, sse_headers(std::move(extra))); }

awaitable<result<void>> sse_writer::start_deferred(http::headers extra) {
  return w_.start_deferred(200, sse_headers(std::move(extra)));
}

awaitable<result<void>> sse_writer::send(sse_event ev) { return w_.write(format_sse_event(ev)); }

awaitable<result<void>> sse_writer::send_last(std::string data, std::string event, std::string id) {
  std::optional<std::string> maybe_id;
  if (!id.empty()) maybe_id = std::move(id);
  return w_.write_last(format_sse_event(make_sse_event(std::move(data), std::move(event), std::move(maybe_id))));
}

awaitable<result<void>> sse_writer::send(std::string data) {
  return w_.write(format_sse_event(make_sse_event(std::move(data))));
}

awaitable<result<void>> sse_writer::send(std::string data, std::string event, std::string id) {
  std::optional<std::string> maybe_id;
  if (!id.empty()) maybe_id = std::move(id);
  return w_.write(format_sse_event(make_sse_event(std::move(data), std::move(event), std::move(maybe_id))));
}

awaitable<result<void>> sse_writer::comment(std::string text) { return w_.write(format_sse_comment(text)); }

}  // namespace agentp2p::http
