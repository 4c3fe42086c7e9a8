// Embedded HTTP/1.1 server: keep-alive, coroutine handlers, streaming (SSE),
// limits against slow or oversized clients, per-route-group access policy.
// One server carries the daemon API, MCP's Streamable HTTP and A2A.
//
//   http::server srv(ex, http::config{});
//   srv.get("/hello", [](http::request& r, http::response_writer& w) { return hello(r, w); });
//   srv.start().value();             // binds 127.0.0.1:0 by default
//   std::cout << srv.url();          // http://127.0.0.1:<port>
//
// A HEAD request is answered by the GET route, with the headers only (RFC 9110).
// Handlers are coroutines (awaitable<response>). On GCC 12 a coroutine lambda
// must not capture, so register a plain lambda that calls a coroutine
// function (member or free) as above. No TLS: bind to loopback or put a
// reverse proxy in front.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/http/message.hpp"
#include "agentp2p/http/sse.hpp"

namespace agentp2p::http {

using std::chrono::milliseconds;

struct listen_endpoint {
  std::string address = "127.0.0.1";  // an IP literal ("0.0.0.0", "::1", ...)
  std::uint16_t port = 0;              // 0: the OS picks; read it back with server::port()
};

// Who may use a group of routes. Checked after routing, before the handler.
struct access_policy {
  // Origin header (sent by browsers): a request carrying an Origin that is not
  // allowed gets 403 — protection against DNS rebinding and cross-site calls
  // (MCP Streamable HTTP asks for it). No Origin (curl, SDKs) is allowed.
  bool allow_loopback_origins = true;         // http(s)://localhost|127.0.0.1|[::1][:port]
  std::vector<std::string> allowed_origins;   // further exact origins, e.g. "https://app.example"
  bool allow_any_origin = false;
  // Host header: when every listening endpoint is a loopback address, a Host
  // naming anything but localhost / 127.0.0.1 / [::1] (or `allowed_hosts`) gets
  // 403 — a rebinding attacker's page sends its own domain as Host.
  bool check_host = true;
  std::vector<std::string> allowed_hosts;     // extra host names (without port)
  // Non-empty: requests need `Authorization: Bearer <token>`, else 401 with
  // a WWW-Authenticate header.
  std::string bearer_token;
};

// The policy's verdict on a request: the 400/401/403 response to send
// instead of calling the handler, or nullopt to go ahead. `loopback_only`:
// every listening endpoint is a loopback address (enables the Host check).
// The server applies it per route; exposed for other transports and tests.
std::optional<response> check_access(const access_policy& policy, const request& req, bool loopback_only);

// Limits and timeouts. Defaults suit a local daemon API with MCP/A2A traffic.
struct config {
  std::vector<listen_endpoint> listen{listen_endpoint{}};  // default 127.0.0.1:0
  std::size_t max_header_bytes = 16 * 1024;                // request line + fields; over it: 431
  std::size_t max_body_bytes = 4 * 1024 * 1024;            // over it: 413 (JSON error)
  milliseconds header_timeout{10'000};   // from the first byte of a request to the end of its headers
  milliseconds body_timeout{30'000};     // to receive the whole body once headers are in
  milliseconds idle_timeout{60'000};     // keep-alive: wait for the next request
  milliseconds write_timeout{30'000};    // to send one response (or one streamed chunk)
  std::size_t max_connections = 256;     // more: the longest-waiting reader is closed, else 503
  std::size_t max_requests_per_connection = 10'000;  // then "Connection: close"
  milliseconds close_timeout{3'000};     // close(): how long in-flight handlers get
  access_policy policy;                  // for routes added without a group
  std::string server_header = "agentp2p";
  // Called once per request that got an answer (after routing: 404/405/403
  // included; a streamed response reports the status it started with), on
  // the server's executor. For metrics; must not block.
  std::function<void(const request&, int status)> on_response;
};

// Given to every handler. Ignore it to return a complete response; or call
// start() to stream the body (chunked) — then the returned response is ignored.
class response_writer {
 public:
  virtual ~response_writer() = default;
  // Sends the status line and headers; the body follows in write() calls.
  virtual awaitable<result<void>> start(int status, http::headers headers) = 0;
  // Like start(), but the status line and headers wait for the first
  // write(), write_last() or finish() and go out with it in one system call.
  // For a body that follows soon (an answer being computed); the client sees
  // no headers until then, so a stream that may stay silent start()s.
  virtual awaitable<result<void>> start_deferred(int status, http::headers headers) = 0;
  // Sends one chunk now (flushed). Fails once the client is gone.
  virtual awaitable<result<void>> write(std::string data) = 0;
  // Sends the last chunk and ends the body, in one system call.
  virtual awaitable<result<void>> write_last(std::string data) = 0;
  // Ends the body; the connection may carry the next request. Called for you
  // when the handler returns.
  virtual awaitable<result<void>> finish() = 0;
  virtual bool started() const = 0;
  // True once the client closed the connection, a write failed, or the server
  // is closing. (A handler that has not started a response when the client
  // goes away is cancelled instead: its work would be answered to nobody.)
  virtual bool gone() const = 0;
  // Completes when gone() becomes true (at once if it is).
  virtual awaitable<void> wait_gone() = 0;
  // The request this writer answers.
  virtual const http::request& request() const = 0;
};

// Server-Sent Events over a response_writer.
class sse_writer {
 public:
  explicit sse_writer(response_writer& w) : w_(w) {}
  // 200, Content-Type: text/event-stream, Cache-Control: no-cache.
  awaitable<result<void>> start();
  awaitable<result<void>> start(http::headers extra);
  // start(extra) with the headers sent along with the first event.
  awaitable<result<void>> start_deferred(http::headers extra);
  awaitable<result<void>> send(sse_event ev);
  // send(data, event, id) that also ends the stream (one system call).
  awaitable<result<void>> send_last(std::string data, std::string event, std::string id);
  awaitable<result<void>> send(std::string data);
  awaitable<result<void>> send(std::string data, std::string event, std::string id);
  // A comment line; use it as a keep-alive ping.
  awaitable<result<void>> comment(std::string text);
  bool gone() const { return w_.gone(); }
  awaitable<void> wait_gone() { return w_.wait_gone(); }
  response_writer& writer() { return w_; }

 private:
  response_writer& w_;
};

using handler = std::function<awaitable<response>(request&, response_writer&)>;

class server;

// Routes sharing one access_policy (e.g. the API with a token, /mcp with
// Origin checks, the dashboard without a token).
class route_group {
 public:
  // Method "*" matches any method.
  route_group& add(std::string method, std::string pattern, handler h);
  route_group& get(std::string pattern, handler h) { return add("GET", std::move(pattern), std::move(h)); }
  route_group& post(std::string pattern, handler h) { return add("POST", std::move(pattern), std::move(h)); }
  route_group& del(std::string pattern, handler h) { return add("DELETE", std::move(pattern), std::move(h)); }
  const access_policy& policy() const { return *policy_; }

 private:
  friend class server;
  route_group(server& s, std::shared_ptr<access_policy> p) : server_(&s), policy_(std::move(p)) {}
  server* server_;
  std::shared_ptr<access_policy> policy_;
};

class server {
 public:
  server(executor ex, config cfg);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Routes with config.policy. Patterns: "/exact", "/peers/{id}", "/static/*".
  // The most specific matching pattern wins; a path that matches only under
  // other methods gets 405 with Allow. Routes may be added after start().
  server& add(std::string method, std::string pattern, handler h);
  server& get(std::string pattern, handler h) { return add("GET", std::move(pattern), std::move(h)); }
  server& post(std::string pattern, handler h) { return add("POST", std::move(pattern), std::move(h)); }
  server& del(std::string pattern, handler h) { return add("DELETE", std::move(pattern), std::move(h)); }
  route_group group(access_policy policy);

  // Binds every configured endpoint and starts accepting.
  result<void> start();
  std::vector<listen_endpoint> local_endpoints() const;
  std::uint16_t port() const;  // of the first endpoint
  std::string url() const;     // "http://127.0.0.1:<port>" for the first endpoint

  // Graceful: stops accepting, closes idle connections, ends open streams,
  // lets in-flight handlers finish within config.close_timeout, then cancels.
  awaitable<void> close();

  std::size_t connection_count() const;
  const config& settings() const;
  executor get_executor() const;

  struct impl;

 private:
  friend class route_group;
  void add_route(std::string method, std::string pattern, handler h, std::shared_ptr<access_policy> policy);
  std::shared_ptr<impl> impl_;
};

}  // namespace agentp2p::http
