// GET /api/v1/openapi.json: the OpenAPI 3.1 description of the daemon's API,
// built from one route table (kept next to api.cpp's router).
#include <boost/json.hpp>

#include "agentp2p/daemon/api.hpp"

namespace agentp2p::daemon {

namespace json = boost::json;

namespace {

struct route_doc {
  const char* method;
  const char* path;
  const char* summary;
  const char* request_schema;   // JSON text, "" = no body
  const char* response_schema;  // JSON text of the 200 response
  const char* query;            // "name:description;..." query parameters
};

constexpr const char* error_schema =
    R"({"type":"object","properties":{"error":{"type":"object","properties":{"code":{"type":"string"},"message":{"type":"string"}},"required":["code","message"]}},"required":["error"]})";

constexpr route_doc routes[] = {
    {"get", "/api/v1/node", "This node: peer id, listen addresses, protocols, counts, its card", "",
     R"({"type":"object","properties":{"peerId":{"type":"string"},"name":{"type":"string"},"listenAddrs":{"type":"array","items":{"type":"string"}},"protocols":{"type":"array","items":{"type":"string"}},"connections":{"type":"integer"},"peers":{"type":"integer"},"tools":{"type":"integer"},"apiUrl":{"type":"string"},"mcpUrl":{"type":"string"},"card":{"type":"object"}}})",
     ""},
    {"get", "/api/v1/peers", "Known agents: connection state, name, tools, addresses, latency", "",
     R"({"type":"object","properties":{"peers":{"type":"array","items":{"$ref":"#/components/schemas/Peer"}}}})", ""},
    {"get", "/api/v1/peers/{id}", "One agent: praxis card, A2A card, addresses, protocols, latency, connections", "",
     R"({"$ref":"#/components/schemas/Peer"})", ""},
    {"post", "/api/v1/peers/connect", "Dial a peer",
     R"({"type":"object","properties":{"addr":{"type":"string","description":"multiaddr ending in /p2p/<peer id>"}},"required":["addr"]})",
     R"({"type":"object","properties":{"peerId":{"type":"string"},"remoteAddr":{"type":"string"},"connected":{"type":"boolean"}}})",
     ""},
    {"post", "/api/v1/peers/{id}/ping", "Measure round trips to a peer (libp2p ping)",
     R"({"type":"object","properties":{"count":{"type":"integer","minimum":1,"maximum":100}}})",
     R"({"type":"object","properties":{"peerId":{"type":"string"},"rttMs":{"type":"array","items":{"type":"number"}}}})", ""},
    {"get", "/api/v1/tools", "Local tools and the tools on every known peer's card", "",
     R"({"type":"object","properties":{"local":{"type":"array","items":{"$ref":"#/components/schemas/Tool"}},"remote":{"type":"array","items":{"$ref":"#/components/schemas/Tool"}}}})",
     ""},
    {"post", "/api/v1/tools/call", "Call a tool, local (no peer) or on a peer over /praxis/tool/1.0.0",
     R"({"type":"object","properties":{"peer":{"type":"string"},"tool":{"type":"string"},"arguments":{"type":"object"}},"required":["tool"]})",
     R"({"type":"object","properties":{"result":{}}})", ""},
    {"get", "/api/v1/find-agents", "Agents offering a tool (peer registry; the DHT when enabled)", "",
     R"({"type":"object","properties":{"tool":{"type":"string"},"agents":{"type":"array","items":{"$ref":"#/components/schemas/Peer"}}}})",
     "tool:Tool name"},
    {"get", "/api/v1/tasks", "A2A tasks of this node (A2A 1.0 JSON)", "",
     R"({"type":"object","properties":{"tasks":{"type":"array","items":{"type":"object"}},"total":{"type":"integer"}}})",
     "limit:Page size (at most 100)"},
    {"post", "/api/v1/a2a/send", "Send an A2A message: starts a task here (no peer) or on a peer",
     R"({"type":"object","properties":{"peer":{"type":"string"},"text":{"type":"string"},"data":{},"taskId":{"type":"string"},"contextId":{"type":"string"}}})",
     R"({"type":"object","description":"the A2A task"})", ""},
    {"get", "/api/v1/a2a/tasks/{id}", "An A2A task, here or on a peer", "", R"({"type":"object","description":"the A2A task"})",
     "peer:Peer id of the node that runs the task"},
    {"post", "/api/v1/a2a/tasks/{id}/cancel", "Cancel an A2A task", R"({"type":"object","properties":{"peer":{"type":"string"}}})",
     R"({"type":"object","description":"the A2A task"})", ""},
    {"get", "/api/v1/events",
     "Server-Sent Events: peer.*, connection.*, card.updated, tool.called, task.updated, events_dropped", "",
     R"({"type":"string","description":"text/event-stream; each event's data is {seq,type,time,data}"})",
     "after:Sequence number of the last event seen (or the Last-Event-ID header)"},
    {"get", "/api/v1/openapi.json", "This document", "", R"({"type":"object"})", ""},
    {"get", "/metrics", "Prometheus metrics (text format 0.0.4)", "", R"({"type":"string"})", ""},
};

json::value parse(const char* text) { return json::parse(text); }

}  // namespace

json::value api::openapi() {
  json::object paths;
  for (const auto& r : routes) {
    json::object op;
    op["summary"] = r.summary;
    op["operationId"] = std::string(r.method) + std::string(r.path);
    json::array params;
    std::string path = r.path;
    if (path.find("{id}") != std::string::npos) {
      json::object p;
      p["name"] = "id";
      p["in"] = "path";
      p["required"] = true;
      p["schema"] = parse(R"({"type":"string"})");
      params.push_back(std::move(p));
    }
    std::string_view q = r.query;
    while (!q.empty()) {
      auto semi = q.find(';');
      auto item = q.substr(0, semi);
      auto colon = item.find(':');
      json::object p;
      p["name"] = item.substr(0, colon);
      p["in"] = "query";
      p["description"] = item.substr(colon + 1);
      p["schema"] = parse(R"({"type":"string"})");
      params.push_back(std::move(p));
      if (semi == std::string_view::npos) break;
      q.remove_prefix(semi + 1);
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    if (*r.request_schema) {
      json::object media;
      media["schema"] = parse(r.request_schema);
      json::object content;
      content["application/json"] = std::move(media);
      json::object body;
      body["required"] = true;
      body["content"] = std::move(content);
      op["requestBody"] = std::move(body);
    }
    json::object ok_media;
    ok_media["schema"] = parse(r.response_schema);
    json::object ok_content;
    const bool text = path == "/metrics" || path == "/api/v1/events";
    ok_content[path == "/metrics" ? "text/plain" : path == "/api/v1/events" ? "text/event-stream" : "application/json"] =
        std::move(ok_media);
    json::object ok;
    ok["description"] = "OK";
    ok["content"] = std::move(ok_content);
    json::object err_media;
    err_media["schema"] = parse(error_schema);
    json::object err_content;
    err_content["application/json"] = std::move(err_media);
    json::object err;
    err["description"] = "An error a user can act on (400 bad input, 401 token, 404 unknown, 429 limit, 502 peer error, 504 timeout)";
    err["content"] = std::move(err_content);
    json::object responses;
    responses["200"] = std::move(ok);
    if (!text) responses["default"] = std::move(err);
    op["responses"] = std::move(responses);
    auto& slot = paths[path];
    if (!slot.is_object()) slot.emplace_object();
    slot.as_object()[r.method] = std::move(op);
  }

  json::object doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = parse(R"({"title":"agentp2p daemon API","version":"1.0.0","description":"Drive and observe an agentp2p node. Loopback by default; when http.token is set every request needs Authorization: Bearer <token>. MCP is served at /mcp and A2A at /a2a."})");
  doc["paths"] = std::move(paths);
  doc["components"] = parse(
      R"({"schemas":{"Peer":{"type":"object","properties":{"peerId":{"type":"string"},"connected":{"type":"boolean"},"name":{"type":"string"},"tools":{"type":"array","items":{"type":"string"}},"addrs":{"type":"array","items":{"type":"string"}},"latencyMs":{"type":"number"},"protocols":{"type":"array","items":{"type":"string"}},"card":{"type":"object"},"a2aCard":{"type":"object"}}},"Tool":{"type":"object","properties":{"name":{"type":"string"},"description":{"type":"string"},"inputSchema":{"type":"object"},"peerId":{"type":"string"},"peerName":{"type":"string"}}}},"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}}})");
  return doc;
}

}  // namespace agentp2p::daemon
