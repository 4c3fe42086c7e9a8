// The daemon's HTTP API (/api/v1/..., /metrics), independent of the HTTP
// server: a request in, a response out. The server adapter (http_mount.cpp)
// feeds it; tests call it directly. Runs on the host's executor.
//
// Routes (see openapi() for the full description):
//   GET  /api/v1/node                 this node: peer id, addresses, protocols, counts
//   GET  /api/v1/peers                known agents
//   GET  /api/v1/peers/{id}           one agent: card, A2A card, addresses, protocols, latency
//   POST /api/v1/peers/connect        {"addr": multiaddr}
//   POST /api/v1/peers/{id}/ping      {"count": n}
//   GET  /api/v1/tools                local tools and every known peer's tools
//   POST /api/v1/tools/call           {"peer"?: id, "tool": name, "arguments": {...}}
//   GET  /api/v1/find-agents?tool=X   agents offering tool X
//   GET  /api/v1/tasks                A2A tasks of this node
//   POST /api/v1/a2a/send             {"peer"?: id, "text"?: s, "data"?: v, "taskId"?, "contextId"?}
//   GET  /api/v1/a2a/tasks/{id}       ?peer=ID for a task on another peer
//   POST /api/v1/a2a/tasks/{id}/cancel {"peer"?: id}
//   GET  /api/v1/events               Server-Sent Events (served by the adapter from the event bus)
//   GET  /api/v1/openapi.json         OpenAPI 3.1
//   GET  /metrics                     Prometheus text format
// Errors: {"error": {"code": "...", "message": "..."}} with a matching status.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::a2a {
class client;
}

namespace agentp2p::daemon {

class service;

struct api_request {
  std::string method;  // GET, POST, ...
  std::string path;    // without the query
  std::map<std::string, std::string> query;
  std::string body;
};

struct api_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

class api {
 public:
  explicit api(service& s);
  ~api();

  awaitable<api_response> handle(api_request req);

  // The OpenAPI 3.1 description of the routes.
  static boost::json::value openapi();
  // Splits "/a/b?x=1&y=%20" into path and decoded query parameters.
  static api_request parse_target(std::string method, std::string_view target, std::string body);

 private:
  awaitable<api_response> route(api_request& req);
  awaitable<api_response> call_tool(const boost::json::object& body);
  awaitable<api_response> connect(const boost::json::object& body);
  awaitable<api_response> ping(std::string peer, const boost::json::object& body);
  awaitable<api_response> a2a_send(const boost::json::object& body);
  awaitable<api_response> a2a_get(std::string id, std::string peer);
  awaitable<api_response> a2a_cancel(std::string id, std::string peer);
  api_response node_info() const;
  api_response peers() const;
  api_response peer(std::string_view id) const;
  api_response tools() const;
  awaitable<api_response> find_agents(std::string tool);
  api_response tasks(const std::map<std::string, std::string>& query) const;
  a2a::client& a2a_client();

  service& service_;
  std::unique_ptr<a2a::client> a2a_client_;
};

}  // namespace agentp2p::daemon
