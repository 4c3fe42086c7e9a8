// The MCP server: one object shared by every client session (stdio, the
// /mcp/1.0.0 libp2p stream, Streamable HTTP), each session with its own
// negotiated version, capabilities, log level and subscriptions.
//
//   auto srv = mcp::server::create(cfg, registry);    // the node's tools are MCP tools
//   srv->add_tool(def, handler);                       // MCP-native tools (progress, sampling, ...)
//   srv->add_resource({.uri = "agent://card", ...}, reader);
//   co_await srv->serve(mcp::make_line_transport(stream));
//
// Features: tools (paginated list with inputSchema/outputSchema/annotations,
// calls with structuredContent and isError, notifications/tools/list_changed
// when the registry or the native tools change), resources (static,
// templates, subscribe → notifications/resources/updated, list_changed),
// prompts (list/get with arguments), logging (logging/setLevel,
// notifications/message), completion (completion/complete), and for native
// tools a tool_context that sends progress, log messages, sampling and
// elicitation requests to the calling client.
//
// Error mapping: unknown tool or prompt, missing arguments → -32602; unknown
// resource → -32002; unknown method → -32601. A tool that runs and fails
// (including arguments that break its schema, so the model can correct
// itself) is a result with isError: true.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/mcp/protocol.hpp"
#include "agentp2p/agent/mcp/session.hpp"
#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::tools {
class registry;
}

namespace agentp2p::mcp {

struct implementation {
  std::string name = "agentp2p";
  std::string version = "0.1.0";
  std::string title;
};

// What a native tool's handler can do with the client that called it.
class tool_context {
 public:
  explicit tool_context(request_context& rc) : request_(rc) {}
  request_context& request() const noexcept { return request_; }
  session& client() const noexcept { return request_.owner(); }
  bool cancelled() const noexcept { return request_.cancelled(); }

  // notifications/progress (only when the client sent a progress token).
  void progress(double progress, double total, std::string message) const {
    request_.progress(progress, total, std::move(message));
  }
  void progress(double progress, double total) const { request_.progress(progress, total); }
  // notifications/message, when `level` is at or above the session's level.
  void log(log_level level, boost::json::value data, std::string logger) const;
  void log(log_level level, boost::json::value data) const { log(level, std::move(data), {}); }

  // Whether the client declared a capability ("sampling", "elicitation", "roots").
  bool client_supports(std::string_view capability) const;
  // sampling/createMessage; errc::unsupported when the client cannot sample.
  awaitable<result<boost::json::value>> create_message(boost::json::value params) const;
  // elicitation/create; errc::unsupported when the client cannot elicit.
  awaitable<result<boost::json::value>> elicit(boost::json::value params) const;
  // roots/list.
  awaitable<result<boost::json::value>> list_roots() const;
  // Closes this call's SSE stream (HTTP); the client resumes it to get the result.
  void close_stream() const { request_.end_stream(); }

 private:
  awaitable<result<boost::json::value>> ask(std::string_view capability, std::string method,
                                            boost::json::value params) const;
  request_context& request_;
};

struct tool {
  std::string name;  // 1-128 of [A-Za-z0-9_.-]
  std::string title;
  std::string description;
  boost::json::object input_schema;                  // empty → {"type":"object"}
  std::optional<boost::json::object> output_schema;
  std::optional<boost::json::object> annotations;    // ToolAnnotations
};
// Returns a CallToolResult ({content, structuredContent?, isError?}); any
// other value is wrapped as text content (objects also as structuredContent).
// An error becomes {isError: true, content: [{type: text, text: message}]}.
using tool_handler =
    std::function<awaitable<result<boost::json::value>>(boost::json::object arguments, tool_context& ctx)>;

struct resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};
struct resource_template {
  std::string uri_template;  // RFC 6570 level 1-2: {var} (no '/'), {+var} (anything)
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};
// The contents of `uri` ([{uri, mimeType?, text | blob}]); `vars` holds a
// template's variables. errc::not_found → -32002.
using resource_reader = std::function<awaitable<result<boost::json::array>>(std::string uri,
                                                                            std::map<std::string, std::string> vars)>;

struct prompt_argument {
  std::string name;
  std::string description;
  bool required = false;
};
struct prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<prompt_argument> arguments;
};
// Returns a GetPromptResult ({description?, messages: [{role, content}]}).
using prompt_handler =
    std::function<awaitable<result<boost::json::value>>(std::map<std::string, std::string> arguments)>;

struct completion_request {
  boost::json::object ref;  // {"type":"ref/prompt","name"} or {"type":"ref/resource","uri"}
  std::string argument;
  std::string value;
  std::map<std::string, std::string> context;  // other arguments already filled in
};
// Candidate values, best first (at most 100 are sent).
using completion_handler = std::function<awaitable<result<std::vector<std::string>>>(completion_request)>;

struct server_config {
  implementation info;
  std::string instructions;
  // Items per page of tools/list, resources/list, resources/templates/list, prompts/list.
  std::size_t page_size = 100;
  session_config session;
  // Log level of a session until it sends logging/setLevel.
  log_level default_log_level = log_level::info;
};

class server : public std::enable_shared_from_this<server> {
 public:
  // With `tools`, every tool of the registry is also an MCP tool.
  static std::shared_ptr<server> create(server_config cfg, std::shared_ptr<tools::registry> tools);
  static std::shared_ptr<server> create(server_config cfg);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Registration: from any thread; sessions hear list_changed.
  result<void> add_tool(tool def, tool_handler h);  // already_exists, invalid_argument (name, schema)
  bool remove_tool(std::string_view name);
  result<void> add_resource(resource r, resource_reader read);
  bool remove_resource(std::string_view uri);
  result<void> add_resource_template(resource_template t, resource_reader read);
  result<void> add_prompt(prompt p, prompt_handler h);
  void set_completion_handler(completion_handler h);

  // notifications/resources/updated to the sessions subscribed to `uri`.
  void resource_updated(std::string_view uri);
  // notifications/message to every session whose level admits it.
  void log(log_level level, boost::json::value data, std::string logger);

  // Serves one client over `t` until it ends; any number of clients at once.
  awaitable<void> serve(std::unique_ptr<transport> t);
  awaitable<void> serve(std::unique_ptr<transport> t, session_config cfg);
  // A session for this server, to run yourself (`co_await s->run()`).
  std::shared_ptr<session> open_session(std::unique_ptr<transport> t, session_config cfg);

  // One request outside any client session (no initialize, no client
  // capabilities: sampling and elicitation are unavailable), e.g. praxis's
  // mcp.execute: the result object, or the error a client would receive.
  awaitable<result<boost::json::value>> execute(std::string method, boost::json::value params);

  std::size_t session_count() const;
  const server_config& settings() const noexcept;

  struct state;  // tables and sessions (server.cpp)

 private:
  explicit server(std::shared_ptr<state> st);
  std::shared_ptr<state> state_;
};

}  // namespace agentp2p::mcp
