// Puts the daemon's API on the HTTP server: /api/v1/*, /metrics, and the
// SSE event stream /api/v1/events, under one access policy (bearer token and
// allowed origins from the `http:` settings).
#pragma once

#include "agentp2p/daemon/config.hpp"

namespace agentp2p::http {
class server;
struct access_policy;
}  // namespace agentp2p::http

namespace agentp2p::daemon {

class service;

// The access policy of the daemon's routes, from http.token and
// http.allowed_origins.
http::access_policy api_policy(const config::http_section& cfg);

void mount_api(http::server& srv, service& s);

}  // namespace agentp2p::daemon
