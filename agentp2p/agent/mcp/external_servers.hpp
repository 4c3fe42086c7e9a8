// External MCP servers as local tools. For each configured server the
// manager keeps one connection (a stdio child, Streamable HTTP or legacy SSE),
// and registers every tool it lists into the node's tools::registry as
// "<server>.<tool>" (sanitized to [A-Za-z0-9_.-], at most 128 characters).
// So they appear on our card, can be called by peers (when exposed) and are
// served by our own MCP server.
//
//   auto ext = mcp::external_servers::start(ex, registry, configs);
//   ...
//   co_await ext->close();   // stops every server (kills the stdio children)
//
// Lifecycle of one server: connect → initialize → tools/list → register.
// notifications/tools/list_changed → list again and re-register (added,
// removed, changed tools). When the server dies (its process exits, the
// session ends) its tools are removed at once; it is started again after an
// exponential backoff (initial_backoff doubling up to max_backoff; back to
// the start once a connection has stayed up for `stable_after`).
//
// Exposure: external tools are private by default — only local callers (our
// MCP server, the HTTP API, in-process code; an empty caller) may call them;
// `expose` "all" or a list of peer ids opens them to peers. The definition is
// marked external (tools::tool_definition::origin, where the registry has it)
// so the registry's policy and our card can tell.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agentp2p/agent/mcp/client.hpp"
#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/base/task_group.hpp"

namespace agentp2p::tools {
class registry;
}

namespace agentp2p::mcp {

enum class external_transport { automatic, stdio, streamable_http, legacy_sse };

struct external_server_config {
  std::string name;  // [A-Za-z0-9_-]{1,64}; the tools' prefix
  // stdio: the program, its arguments, extra environment, working directory.
  std::string command;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string cwd;
  // or HTTP: the endpoint and headers sent with every request.
  std::string url;
  std::map<std::string, std::string> headers;
  // automatic: stdio when `command` is set; legacy SSE when the URL path ends in /sse; else Streamable HTTP.
  external_transport transport = external_transport::automatic;
  // Peers allowed to call its tools: "none" (local callers only), "all", or "peers" (expose_peers).
  std::string expose = "none";
  std::vector<std::string> expose_peers;
  // A tool call (capped by the registry's own deadline for the call).
  std::chrono::milliseconds call_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds initial_backoff{std::chrono::milliseconds(250)};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  std::chrono::milliseconds stable_after{std::chrono::seconds(30)};
  std::size_t max_line = 4 * 1024 * 1024;  // one message (stdio line, HTTP body or event)
};

// "" or what is wrong with the entry.
std::string check_external_server(const external_server_config& c);
// The registry name of `tool` of server `server`: "<server>.<tool>", characters
// outside [A-Za-z0-9_.-] replaced by '_', cut to 128.
std::string external_tool_name(std::string_view server, std::string_view tool);

enum class external_state { starting, ready, restarting, stopped };
std::string_view to_string(external_state s) noexcept;

struct external_status {
  std::string name;
  external_state state = external_state::starting;
  std::vector<std::string> tools;  // registry names
  std::size_t starts = 0;          // connections attempted
  std::size_t restarts = 0;        // times it died after being ready
  std::string last_error;
  int pid = -1;                    // stdio: the current child
};

class external_servers : public std::enable_shared_from_this<external_servers> {
 public:
  // Invalid entries are refused here (errc::invalid_argument naming the entry).
  static result<std::shared_ptr<external_servers>> start(executor ex, std::shared_ptr<tools::registry> reg,
                                                         std::vector<external_server_config> servers);
  ~external_servers();

  std::vector<external_status> status() const;
  // The live client of a server (tests, admin); null while it is down.
  std::shared_ptr<client> client_of(std::string_view name) const;

  // Listeners run on the manager's executor after a server's tools changed
  // in the registry (registered, refreshed, removed).
  void on_change(std::function<void(const external_status&)> l);

  // Removes every external tool, ends the connections, stops the children.
  awaitable<void> close();

  struct server;  // one configured server's state (external_servers.cpp)

 private:
  external_servers(executor ex, std::shared_ptr<tools::registry> reg);
  static awaitable<void> run_server(std::shared_ptr<external_servers> self, std::shared_ptr<server> s);
  void register_tools(server& s);
  void unregister_tools(server& s);
  void changed(const server& s);

  executor executor_;
  std::shared_ptr<tools::registry> registry_;
  std::vector<std::shared_ptr<server>> servers_;
  std::vector<std::function<void(const external_status&)>> listeners_;
  bool closing_ = false;
  task_group tasks_;
};

}  // namespace agentp2p::mcp
