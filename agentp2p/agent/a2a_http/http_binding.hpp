// A2A over HTTP (the JSON-RPC binding of A2A 0.3 and 1.0) on an agentp2p
// http::server, sharing the transport-independent a2a::dispatcher with the
// libp2p stream service.
//
//   POST <rpc_path>                     JSON-RPC; unary methods → one JSON response;
//                                       message/stream, SendStreamingMessage,
//                                       tasks/resubscribe, SubscribeToTask → SSE,
//                                       one JSON-RPC response per event
//   GET /.well-known/agent-card.json    the agent card: A2A 1.0 shape when the
//                                       request says `A2A-Version: 1.0`, else 0.3
//   GET /.well-known/agent.json         the 0.3 card (legacy path)
//
// The card's `url` is the endpoint as the caller reached it (from the Host
// header) unless `public_url` is set. Callers over HTTP are trusted local
// callers (request_context{}): protect the routes with an access policy
// (bearer token) when the server is reachable by others.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agentp2p/agent/a2a/dispatcher.hpp"
#include "agentp2p/http/server.hpp"

namespace agentp2p::a2a {

struct http_binding_config {
  std::string rpc_path = "/a2a";
  // Base URL announced in the card ("http://agent.example:8080"); empty:
  // "http://" + the request's Host header.
  std::string public_url;
  // Routes get this policy; unset: the server's default (config.policy).
  std::optional<http::access_policy> policy;
};

// JSON-RPC error code of A2A 1.0 for an A2A-Version the server does not speak.
inline constexpr int version_not_supported_code = -32009;

// Mounts the three routes on `srv`. The dispatcher must outlive the server's
// close().
void mount_http(http::server& srv, std::shared_ptr<dispatcher> rpc, http_binding_config cfg);
void mount_http(http::server& srv, std::shared_ptr<dispatcher> rpc);

}  // namespace agentp2p::a2a
