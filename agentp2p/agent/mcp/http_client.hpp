// MCP over HTTP, client side (agentp2p/http client underneath).
//
// Streamable HTTP (2025-03-26 and later): every message is POSTed to the one
// endpoint with `Accept: application/json, text/event-stream`; the answer is
// 202 (notifications, responses), a JSON body, or an SSE stream carrying the
// response and whatever the server sends meanwhile (progress, its own
// requests). The `Mcp-Session-Id` the server assigns at initialize is sent
// back on every request, with `MCP-Protocol-Version` once negotiated. After
// initialization a GET opens the server's own SSE stream (405 = it has none).
// A stream that ends before delivering the responses it owes is resumed with
// GET + `Last-Event-ID` after the server's `retry:` delay (SEP-1699), and so
// is the GET stream, a bounded number of times. close() sends DELETE. A 404
// for our session id means the server forgot the session: the transport ends
// (errc::closed) and the owner reconnects.
//
// Legacy HTTP+SSE (2024-11-05): GET the SSE endpoint, wait for its `endpoint`
// event, POST every message to that URL; everything the server says arrives
// on the GET stream.
//
// POSTs run in the background (send() returns once queued), so a server
// request arriving on a call's stream can be answered while the call runs.
// An HTTP failure of a POSTed request is turned into a JSON-RPC error response
// for that request id (the caller sees "HTTP 500: ..."), never a hang.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "agentp2p/agent/mcp/transport.hpp"

namespace agentp2p::mcp {

struct http_client_params {
  std::string url;                             // http://host:port/mcp (or .../sse for legacy)
  std::map<std::string, std::string> headers;  // sent with every request (Authorization, ...)
  std::string name = "http";                   // for log lines
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // One POST exchange (the whole body of a JSON answer; the head of an SSE one).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  // Waiting for the next event of an SSE stream before giving it up.
  std::chrono::milliseconds stream_idle_timeout{std::chrono::minutes(10)};
  std::size_t max_message = 4 * 1024 * 1024;  // one JSON body or SSE event
  // Resuming streams: delay when the server gave no `retry:`, and how many
  // reconnections in a row without receiving anything.
  std::chrono::milliseconds default_retry{std::chrono::seconds(1)};
  int max_reconnects = 5;
  bool open_get_stream = true;  // Streamable HTTP: the server's notification stream
};

std::unique_ptr<transport> make_streamable_http_transport(executor ex, http_client_params params);
std::unique_ptr<transport> make_legacy_sse_transport(executor ex, http_client_params params);

}  // namespace agentp2p::mcp
