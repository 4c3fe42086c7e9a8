// MCP's stdio transport, client side: spawns the server as a child process
// (posix_spawn, its own process group) and talks JSON-RPC lines over its
// stdin/stdout through Asio posix stream descriptors — no thread per child.
// Its stderr lines go to our log ("[mcp <name>] ..."). Lines on stdout are
// bounded; a line that is not JSON is logged and skipped (servers print
// banners by mistake), so a server that prints only garbage simply never
// answers and initialize times out with a clear error.
//
// The child's exit shows as the end of its stdout: receive() returns
// errc::end_of_stream (with the exit status in the log). close() closes its
// stdin, waits `stop_grace` for it to exit, then SIGTERMs and finally SIGKILLs
// its whole process group, and reaps it. The destructor kills the group at once.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agentp2p/agent/mcp/line_transport.hpp"
#include "agentp2p/agent/mcp/transport.hpp"

namespace agentp2p::mcp {

struct stdio_server_params {
  std::string command;  // looked up in PATH when it has no '/'
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to (or overriding) our environment
  std::string cwd;                         // "" = ours
  std::string name = "stdio";              // for log lines
  line_config line;
  std::size_t max_stderr_line = 8192;      // longer stderr lines are cut
  std::chrono::milliseconds stop_grace{std::chrono::seconds(2)};
};

// Live information about the child, shared with whoever holds it (the
// transport may be owned by a session).
struct stdio_child_info {
  int pid = -1;
  bool exited = false;
  int exit_status = 0;           // as waitpid reports it, once exited
  std::size_t garbage_lines = 0; // non-JSON lines skipped on stdout
  std::string last_garbage;      // the last of them (cut)
  std::string describe() const;  // "exited with status 3", "killed by signal 9", "running"
};

struct stdio_transport_handle {
  std::unique_ptr<mcp::transport> transport;
  std::shared_ptr<const stdio_child_info> child;
};

// Starts the server process. Errors: errc::not_found (no such command),
// errc::io_error (spawn failed).
result<stdio_transport_handle> spawn_stdio_server(executor ex, stdio_server_params params);

}  // namespace agentp2p::mcp
