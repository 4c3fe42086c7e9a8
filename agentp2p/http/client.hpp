// Small HTTP/1.1 client for loopback/LAN use: the MCP client (Streamable HTTP
// and legacy SSE), CLI commands talking to the daemon, and tests.
// Plain http only (no TLS). Idle keep-alive connections are reused per host.
//
//   http::client c(ex);
//   auto r = co_await c.get(srv.url() + "/api/v1/node");          // result<client_response>
//   auto s = co_await c.open(http::get_request(url + "/events"));  // result<unique_ptr<response_stream>>
//   auto ev = co_await (*s)->next_event();                         // result<optional<sse_event>>
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/http/message.hpp"
#include "agentp2p/http/sse.hpp"

namespace agentp2p::http {

struct client_options {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};  // whole exchange of send(); head of open()
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 64 * 1024 * 1024;      // send() and response_stream::read_all()
  std::size_t max_event_bytes = 4 * 1024 * 1024;      // one SSE event in next_event()
  std::size_t max_idle_per_host = 4;                  // kept-alive connections reused by send()
  http::headers default_headers;                      // added to every request (e.g. Authorization)
  std::string user_agent = "agentp2p";
};

struct client_request {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query
  http::headers headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides client_options::request_timeout
};

// Builders (plain functions: no braced lists needed in coroutine bodies).
client_request get_request(std::string url);
client_request post_request(std::string url, std::string body, std::string content_type = "application/json");
client_request delete_request(std::string url);

struct client_response {
  int status = 0;
  http::headers headers;
  std::string body;
  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

// A response whose body is read incrementally; owns its connection.
class response_stream {
 public:
  virtual ~response_stream() = default;
  virtual int status() const = 0;
  virtual const http::headers& headers() const = 0;
  std::optional<std::string_view> header(std::string_view name) const { return headers().get(name); }
  // True for Content-Type text/event-stream.
  bool is_event_stream() const;

  // Next SSE event; nullopt when the body ended. Events over max_event_bytes
  // fail with errc::too_large.
  virtual awaitable<result<std::optional<sse_event>>> next_event() = 0;
  // Same, but fails with errc::timeout if no event arrives within `limit`
  // (the stream is closed then: its state is unknown).
  virtual awaitable<result<std::optional<sse_event>>> next_event(std::chrono::milliseconds limit) = 0;
  // The next piece of raw body; nullopt when the body ended.
  virtual awaitable<result<std::optional<std::string>>> next_chunk() = 0;
  // The rest of the body (bounded by max_body_bytes).
  virtual awaitable<result<std::string>> read_all() = 0;
  // The last SSE `id:` seen: send it as Last-Event-ID to resume.
  virtual const std::optional<std::string>& last_event_id() const = 0;
  // Closes the connection; a pending read ends with an error.
  virtual void close() = 0;
};

class client {
 public:
  explicit client(executor ex);
  client(executor ex, client_options opts);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Sends a request and reads the whole response (any status is a value;
  // errors are connection/protocol failures and timeouts).
  awaitable<result<client_response>> send(client_request req);
  awaitable<result<client_response>> get(std::string url);
  awaitable<result<client_response>> post(std::string url, std::string body, std::string content_type);
  awaitable<result<client_response>> del(std::string url);

  // Sends a request and returns once the response head is in; the body is
  // then read from the stream (SSE event by event, or raw). Always uses a
  // fresh connection.
  awaitable<result<std::unique_ptr<response_stream>>> open(client_request req);

  // Drops idle kept-alive connections.
  void close_idle();
  const client_options& options() const;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace agentp2p::http
