// MCP over HTTP, both flavours, mounted on an http::server so the daemon
// serves MCP next to its API on one port.
//
// Streamable HTTP (2025-03-26 and later), one endpoint (default /mcp):
//   POST   a JSON-RPC message (or a batch, where the version has them). Only
//          notifications/responses → 202. Requests → an SSE stream carrying
//          what the server sends while handling them (progress, log messages,
//          sampling/elicitation requests) and then the responses; or, when the
//          client accepts only JSON (or prefers_json is set), one JSON body.
//          An initialize request without Mcp-Session-Id opens a session; the
//          response carries its Mcp-Session-Id.
//   GET    an SSE stream for server-initiated messages (one per session; 409
//          for a second), or with Last-Event-ID the rest of the stream that
//          event belongs to (replayed from a bounded buffer, then live).
//   DELETE ends the session.
//   Errors: 400 for a missing Mcp-Session-Id or an unsupported
//   MCP-Protocol-Version, 404 for an unknown or deleted session, 406 for an
//   Accept header without the needed type, 415 for a non-JSON body, 413 for
//   an oversized one (http::config::max_body_bytes), 403 for a foreign
//   Origin or Host and 401 without the bearer token (the route group's
//   http::access_policy). SSE events carry ids "<stream>-<n>"; on sessions
//   that negotiated 2025-11-25 each POST stream starts with a priming event
//   (id, empty data, retry hint) so clients can resume it.
//
// HTTP+SSE (2024-11-05, praxis agents and older clients), default /sse and
// /messages: GET /sse opens a session whose stream starts with an `endpoint`
// event naming /messages?sessionId=…; POST /messages?sessionId=… (202)
// carries client messages; everything the server sends is an SSE `message`.
// The session ends when the SSE stream closes.
//
// Threading: the MCP sessions run on the http::server's executor (single-threaded).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/http/server.hpp"

namespace agentp2p::mcp {

struct http_config {
  std::string path = "/mcp";               // Streamable HTTP endpoint
  std::string legacy_sse_path = "/sse";    // empty: no legacy transport
  std::string legacy_post_path = "/messages";
  session_config session;
  std::size_t max_sessions = 1024;         // the least recently used idle one is dropped beyond it
  // A session with no request in progress, no open stream and no use for
  // this long is closed (checked every half timeout, at most every minute):
  // abandoned sessions do not hold memory until the max_sessions cap.
  std::chrono::milliseconds session_idle_timeout{std::chrono::minutes(30)};
  // Largest POST body (one message or batch); over it: 413. 0 = only the
  // http::server's max_body_bytes applies.
  std::size_t max_message_bytes = 0;
  std::size_t max_replay_events = 1024;    // per stream, for Last-Event-ID
  std::size_t max_queued_standalone = 1024;  // server messages waiting for a GET stream
  std::chrono::milliseconds retry_hint{1000};  // SSE `retry:` in priming events
  std::chrono::milliseconds keepalive{std::chrono::seconds(15)};  // SSE comments on idle streams
  bool prefers_json = false;               // answer POSTs with JSON even when SSE is accepted
};

class http_endpoint : public std::enable_shared_from_this<http_endpoint> {
 public:
  // Mounts the routes with the server's default access policy.
  static std::shared_ptr<http_endpoint> mount(http::server& srv, std::shared_ptr<server> mcp, http_config cfg);
  // Mounts them in a route group (its Origin/Host/bearer policy applies).
  static std::shared_ptr<http_endpoint> mount(http::route_group group, executor ex, std::shared_ptr<server> mcp,
                                              http_config cfg);
  ~http_endpoint();

  // Ends every session (their streams end, requests in progress are cancelled).
  awaitable<void> close();
  std::size_t session_count() const;

  struct impl;

 private:
  explicit http_endpoint(std::shared_ptr<impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<impl> impl_;
};

}  // namespace agentp2p::mcp
