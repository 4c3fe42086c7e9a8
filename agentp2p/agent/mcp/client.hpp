// The MCP client role: talks to one MCP server over any transport (stdio
// child, Streamable HTTP, legacy SSE, /mcp/1.0.0 to a peer, memory).
//
//   auto c = mcp::client::create(std::move(transport), cfg);
//   auto info = co_await c->connect();             // initialize + notifications/initialized
//   auto tools = co_await c->list_tools();         // every page
//   auto r = co_await c->call_tool("read_file", args);             // a CallToolResult
//   auto r2 = co_await c->call_tool("slow", args, opts);           // timeout, progress callback
//   co_await c->close();
//
// Negotiation: we ask for cfg.protocol_version (the newest by default) and
// accept any version we speak that the server answers with; another answer
// fails connect() with errc::unsupported. Our capabilities follow what is set:
// roots (set_roots), sampling and elicitation (set_request_handler). A server
// request we have no handler for is refused with -32601, cleanly.
//
// Cancellation: a call whose timeout passes, or whose awaiting coroutine is
// cancelled, sends notifications/cancelled to the server (session.hpp).
// notifications/tools/list_changed makes the client list the tools again and
// then tell on_tools_changed listeners.
//
// Threading: the client lives on its transport's executor (single-threaded
// or a strand); call it from there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "agentp2p/agent/mcp/server.hpp"
#include "agentp2p/agent/mcp/session.hpp"
#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::mcp {

struct client_config {
  implementation info{"agentp2p", "0.1.0", ""};
  // The version asked for in initialize.
  std::string protocol_version = std::string(latest_version);
  // Requests: how long each waits for its response by default.
  duration request_timeout = std::chrono::seconds(60);
  // initialize (a server that starts but never answers fails here).
  duration connect_timeout = std::chrono::seconds(30);
  // tools/list: pages followed and tools kept at most.
  std::size_t max_pages = 100;
  std::size_t max_tools = 10000;
  session_config session = default_session();
  static session_config default_session() {
    session_config c;
    c.require_initialize = false;  // a server may ping or ask for roots before we are done
    c.name = "mcp client";
    return c;
  }
};

// What initialize told us.
struct server_description {
  std::string protocol_version;
  boost::json::object capabilities;
  implementation info;
  std::string instructions;
};

struct root {
  std::string uri;  // file://...
  std::string name;
};

// notifications/progress for one of our calls; total < 0 when the server gave none.
using progress_callback = std::function<void(double progress, double total, const std::string& message)>;
// Answers a server→client request (its params → its result).
using client_request_handler = std::function<awaitable<result<boost::json::value>>(boost::json::value params)>;

struct call_options {
  std::optional<duration> timeout;  // default: client_config::request_timeout
  progress_callback on_progress;    // asks for progress when set
};

// A tool from tools/list. Parsed leniently (unknown fields ignored); a tool
// without a valid name is skipped.
result<tool> tool_from_json(const boost::json::value& v);

class client : public std::enable_shared_from_this<client> {
 public:
  static std::shared_ptr<client> create(std::unique_ptr<transport> t, client_config cfg);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Before connect(): what we answer the server with.
  void set_roots(std::vector<root> roots);
  // "sampling/createMessage", "elicitation/create" (declares the capability), or any other method.
  void set_request_handler(std::string method, client_request_handler h);

  // After a list_changed refresh: the new tool list.
  using tools_listener = std::function<void(const std::vector<tool>&)>;
  void on_tools_changed(tools_listener l);
  // Every other notification from the server (logging, resources...).
  using notification_listener = std::function<void(std::string_view method, const boost::json::value& params)>;
  void on_notification(notification_listener l);
  // When the session ends (the server exited or hung up, close()).
  using closed_listener = std::function<void()>;
  void on_closed(closed_listener l);

  // Runs the session in the background, then initialize + notifications/initialized.
  awaitable<result<server_description>> connect();
  const server_description& server() const noexcept { return server_; }
  bool connected() const noexcept { return connected_ && !closed_; }
  bool closed() const noexcept { return closed_; }

  // Every page of tools/list; the result is also kept (tools()).
  awaitable<result<std::vector<tool>>> list_tools();
  const std::vector<tool>& tools() const noexcept { return tools_; }

  // tools/call: the server's CallToolResult ({content, structuredContent?, isError?}).
  // A JSON-RPC error (unknown tool...) is an error; a tool that ran and failed is a result with isError.
  awaitable<result<boost::json::value>> call_tool(std::string name, boost::json::object arguments);
  awaitable<result<boost::json::value>> call_tool(std::string name, boost::json::object arguments, call_options opts);

  awaitable<result<void>> ping();
  // Any request (resources/read, prompts/get...).
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params);
  awaitable<result<boost::json::value>> request(std::string method, boost::json::value params, duration timeout);

  // Ends the session (pending calls fail with errc::closed) and waits for it.
  awaitable<void> close();

  executor get_executor() const { return executor_; }
  session& raw_session() noexcept { return *session_; }

  struct role;  // the session handler (client.cpp)

 private:
  client(std::unique_ptr<transport> t, client_config cfg);
  static awaitable<void> run_session(std::shared_ptr<client> self);
  static awaitable<void> refresh_tools(std::weak_ptr<client> weak);
  void session_ended();
  boost::json::object initialize_params() const;

  executor executor_;
  client_config config_;
  std::shared_ptr<role> role_;
  std::shared_ptr<session> session_;
  server_description server_;
  std::vector<tool> tools_;
  std::vector<root> roots_;
  bool has_roots_ = false;
  std::vector<tools_listener> tools_listeners_;
  std::vector<notification_listener> notification_listeners_;
  std::vector<closed_listener> closed_listeners_;
  bool connected_ = false;
  bool closed_ = false;
  bool started_ = false;
  bool refreshing_ = false;
  bool refresh_again_ = false;
  std::uint64_t next_token_ = 1;
  std::map<std::string, progress_callback> progress_;  // by id_key of the token
  task_group tasks_;
};

}  // namespace agentp2p::mcp
