#include "agentp2p/http/client.hpp"

#include <map>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/http/beast_io.hpp"

namespace agentp2p::http {

namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using beast_request = bhttp::request<bhttp::string_body>;
using response_parser = bhttp::response_parser<bhttp::string_body>;

client_request get_request(std::string url) {
  client_request r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

client_request post_request(std::string url, std::string body, std::string content_type) {
  client_request r;
  r.method = "POST";
  r.url = std::move(url);
  r.body = std::move(body);
  r.headers.set("Content-Type", content_type);
  return r;
}

client_request delete_request(std::string url) {
  client_request r;
  r.method = "DELETE";
  r.url = std::move(url);
  return r;
}

bool response_stream::is_event_stream() const {
  auto ct = header("Content-Type");
  if (!ct) return false;
  std::string_view v = *ct;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return iequals(v, "text/event-stream");
}

namespace {

beast_request make_request(const client_request& req, const url& u, const client_options& opts) {
  beast_request out;
  out.version(11);
  auto verb = bhttp::string_to_verb(req.method);
  if (verb == bhttp::verb::unknown) out.method_string(req.method);
  else out.method(verb);
  out.target(u.target);
  out.set(bhttp::field::host, u.authority());
  out.set(bhttp::field::user_agent, opts.user_agent);
  for (const auto& [n, v] : opts.default_headers.entries()) out.set(n, v);
  for (const auto& [n, v] : req.headers.entries()) out.set(n, v);
  out.body() = req.body;
  out.keep_alive(true);
  out.prepare_payload();
  return out;
}

http::headers to_headers(const bhttp::response_header<>& h) {
  http::headers out;
  for (const auto& f : h) out.add(f.name_string(), f.value());
  return out;
}

std::unique_ptr<response_parser> make_parser(const client_options& opts, bool unlimited_body) {
  auto p = std::make_unique<response_parser>();
  p->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opts.max_header_bytes, UINT32_MAX)));
  if (unlimited_body) p->body_limit(boost::none);
  else p->body_limit(opts.max_body_bytes);
  return p;
}

awaitable<result<tcp::socket>> connect_to(executor ex, url u) {
  tcp::resolver resolver(ex);
  auto [rec, endpoints] =
      co_await resolver.async_resolve(u.host, std::to_string(u.port), asio::as_tuple(asio::use_awaitable));
  if (rec) co_return from_system(rec, "http: resolving " + u.host);
  tcp::socket s(ex);
  auto [cec, ep] = co_await asio::async_connect(s, endpoints, asio::as_tuple(asio::use_awaitable));
  if (cec) co_return from_system(cec, "http: connecting to " + u.authority());
  boost::system::error_code ignored;
  s.set_option(tcp::no_delay(true), ignored);
  co_return std::move(s);
}

awaitable<result<void>> write_request(tcp::socket& s, beast_request& msg) {
  auto [ec, n] = co_await bhttp::async_write(s, msg, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http: sending request");
  co_return ok();
}

bool is_asio_error(const agentp2p::error& e, asio::error::basic_errors which) {
  return e.code == std::error_code(boost::system::error_code(which));
}

// A kept-alive connection the server closed meanwhile: retry on a new one.
bool retryable(const agentp2p::error& e) {
  return is_beast_error(e, bhttp::error::end_of_stream) || is_asio_error(e, asio::error::connection_reset) ||
         is_asio_error(e, asio::error::broken_pipe);
}

std::string body_error(const agentp2p::error& e, const client_options& opts) {
  if (classify_read_error(e) == read_failure::body_too_large)
    return "http: response body exceeds " + std::to_string(opts.max_body_bytes) + " bytes";
  if (classify_read_error(e) == read_failure::header_too_large)
    return "http: response headers exceed " + std::to_string(opts.max_header_bytes) + " bytes";
  return e.message;
}

class stream_impl final : public response_stream {
 public:
  stream_impl(tcp::socket s, boost::beast::flat_buffer b, std::unique_ptr<response_parser> p, const client_options& o)
      : socket_(std::move(s)),
        buffer_(std::move(b)),
        parser_(std::move(p)),
        sse_(o.max_event_bytes),
        max_body_(o.max_body_bytes),
        status_(static_cast<int>(parser_->get().result_int())),
        headers_(to_headers(parser_->get().base())) {}

  int status() const override { return status_; }
  const http::headers& headers() const override { return headers_; }

  awaitable<result<std::optional<std::string>>> next_chunk() override {
    while (true) {
      auto& body = parser_->get().body();
      if (!body.empty()) {
        std::string out = std::move(body);
        body.clear();
        co_return std::optional<std::string>(std::move(out));
      }
      if (ended_ || parser_->is_done()) {
        ended_ = true;
        co_return std::optional<std::string>();
      }
      if (!socket_.is_open()) co_return make_error(errc::closed, "http: response stream closed");
      auto r = co_await read_message_some(socket_, buffer_, *parser_);
      if (!r) {
        ended_ = true;
        close();
        co_return make_error(errc::io_error, "http: reading response body: " + r.error().message);
      }
    }
  }

  awaitable<result<std::optional<sse_event>>> next_event() override {
    while (true) {
      if (auto ev = sse_.next()) co_return std::optional<sse_event>(std::move(ev));
      if (ended_) co_return std::optional<sse_event>();
      auto chunk = co_await next_chunk();
      if (!chunk) co_return std::move(chunk).error();
      if (!*chunk) {
        sse_.finish();
        continue;
      }
      auto fed = sse_.feed(**chunk);
      if (!fed) {
        close();
        co_return std::move(fed).error();
      }
    }
  }

  awaitable<result<std::optional<sse_event>>> next_event(std::chrono::milliseconds limit) override {
    auto r = co_await with_deadline(next_event(), limit, "http: waiting for an SSE event");
    if (!r && r.error().is(errc::timeout)) close();
    co_return r;
  }

  awaitable<result<std::string>> read_all() override {
    std::string out;
    while (true) {
      auto chunk = co_await next_chunk();
      if (!chunk) co_return std::move(chunk).error();
      if (!*chunk) break;
      if (out.size() + (*chunk)->size() > max_body_) {
        close();
        co_return make_error(errc::too_large, "http: response body exceeds " + std::to_string(max_body_) + " bytes");
      }
      out += **chunk;
    }
    co_return out;
  }

  const std::optional<std::string>& last_event_id() const override { return sse_.last_event_id(); }

  void close() override {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<response_parser> parser_;
  sse_parser sse_;
  std::size_t max_body_;
  int status_;
  http::headers headers_;
  bool ended_ = false;
};

}  // namespace

struct client::impl : std::enable_shared_from_this<impl> {
  impl(executor e, client_options o) : ex(std::move(e)), opts(std::move(o)) {}
  executor ex;
  client_options opts;
  std::map<std::string, std::vector<tcp::socket>> idle;

  std::optional<tcp::socket> take_idle(const std::string& key) {
    auto it = idle.find(key);
    while (it != idle.end() && !it->second.empty()) {
      tcp::socket s = std::move(it->second.back());
      it->second.pop_back();
      if (s.is_open()) return std::optional<tcp::socket>(std::move(s));
    }
    return std::nullopt;
  }

  void put_idle(const std::string& key, tcp::socket s) {
    auto& v = idle[key];
    if (v.size() < opts.max_idle_per_host) v.push_back(std::move(s));
  }

  awaitable<result<client_response>> exchange(url u, beast_request msg);
  awaitable<result<std::unique_ptr<response_stream>>> open_stream(url u, beast_request msg);
};

awaitable<result<client_response>> client::impl::exchange(url u, beast_request msg) {
  auto self = shared_from_this();
  std::string key = u.host + ":" + std::to_string(u.port);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<tcp::socket> sock;
    bool reused = false;
    if (attempt == 0) {
      sock = take_idle(key);
      reused = sock.has_value();
    }
    if (!sock) {
      auto c = co_await with_deadline(connect_to(ex, u), opts.connect_timeout, "http: connecting to " + u.authority());
      if (!c) co_return std::move(c).error();
      sock.emplace(std::move(*c));
    }
    auto written = co_await write_request(*sock, msg);
    // A server may answer early (413) and close before taking the whole
    // body: still try to read its response.
    boost::beast::flat_buffer buffer;
    auto parser = make_parser(opts, false);
    if (msg.method() == bhttp::verb::head) parser->skip(true);
    auto read = co_await read_request_body(*sock, buffer, *parser);
    if (!read) {
      if (reused && retryable(read.error())) continue;
      if (!written) co_return std::move(written).error();
      co_return make_error(errc::io_error, body_error(read.error(), opts) + " (" + std::string(msg.method_string()) +
                                               " http://" + u.authority() + u.target + ")");
    }
    client_response out;
    auto& m = parser->get();
    out.status = static_cast<int>(m.result_int());
    out.headers = to_headers(m.base());
    out.body = std::move(m.body());
    if (written && m.keep_alive() && buffer.size() == 0) put_idle(key, std::move(*sock));
    co_return out;
  }
  co_return make_error(errc::io_error, "http: connection to " + u.authority() + " closed before a response");
}

awaitable<result<std::unique_ptr<response_stream>>> client::impl::open_stream(url u, beast_request msg) {
  auto self = shared_from_this();
  auto c = co_await with_deadline(connect_to(ex, u), opts.connect_timeout, "http: connecting to " + u.authority());
  if (!c) co_return std::move(c).error();
  tcp::socket sock = std::move(*c);
  auto written = co_await write_request(sock, msg);
  boost::beast::flat_buffer buffer;
  auto parser = make_parser(opts, true);
  auto head = co_await read_request_header(sock, buffer, *parser);
  if (!head) {
    if (!written) co_return std::move(written).error();
    co_return make_error(errc::io_error, body_error(head.error(), opts));
  }
  std::unique_ptr<response_stream> s =
      std::make_unique<stream_impl>(std::move(sock), std::move(buffer), std::move(parser), opts);
  co_return std::move(s);
}

client::client(executor ex) : client(std::move(ex), client_options()) {}

client::client(executor ex, client_options opts) : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {}

client::~client() = default;

awaitable<result<client_response>> client::send(client_request req) {
  auto d = impl_;
  std::string why;
  auto u = parse_url(req.url, &why);
  if (!u) co_return make_error(errc::invalid_argument, "http: " + why);
  auto msg = make_request(req, *u, d->opts);
  auto limit = req.timeout.value_or(d->opts.request_timeout);
  co_return co_await with_deadline(d->exchange(*u, std::move(msg)), limit, "http " + req.method + " " + req.url);
}

awaitable<result<client_response>> client::get(std::string url) { return send(get_request(std::move(url))); }

awaitable<result<client_response>> client::post(std::string url, std::string body, std::string content_type) {
  return send(post_request(std::move(url), std::move(body), std::move(content_type)));
}

awaitable<result<client_response>> client::del(std::string url) { return send(delete_request(std::move(url))); }

awaitable<result<std::unique_ptr<response_stream>>> client::open(client_request req) {
  auto d = impl_;
  std::string why;
  auto u = parse_url(req.url, &why);
  if (!u) co_return make_error(errc::invalid_argument, "http: " + why);
  auto msg = make_request(req, *u, d->opts);
  auto limit = req.timeout.value_or(d->opts.request_timeout);
  co_return co_await with_deadline(d->open_stream(*u, std::move(msg)), limit, "http " + req.method + " " + req.url);
}

void client::close_idle() { impl_->idle.clear(); }

const client_options& client::options() const { return impl_->opts; }

}  // namespace agentp2p::http
