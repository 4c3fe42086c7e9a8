// The default agent_executor: runs one tool per message.
//
// A message is accepted when one of its parts is a data part
//   {"tool": "<name>", "arguments": {...}, "peer": "<peer id>"}   (peer optional)
// The tool runs through a tool_invoker (locally, or on `peer`); its result
// becomes the task's artifact and the task completes. A tool error fails the
// task with the error's message. Anything else is rejected with a status
// message saying what is accepted.
//
// Access control: the invoker gets the task's caller, so a local tool runs
// under the tool policy for that peer (tools::registry). A remote caller may
// have us call a tool on another peer (acting under our identity) only when
// config::relay_for_peers allows it; calling back to the caller itself is
// always allowed.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>

#include "agentp2p/agent/a2a/agent_executor.hpp"

namespace agentp2p::a2a {

// How the executor reaches tools; wired to the tool registry by the node.
class tool_invoker {
 public:
  virtual ~tool_invoker() = default;
  // Runs `tool` with `arguments` for `caller` (whose tool policy applies),
  // here (no peer) or on `peer`.
  virtual awaitable<result<boost::json::value>> invoke(request_context caller, std::optional<crypto::peer_id> peer,
                                                       std::string tool, boost::json::object arguments) = 0;
};

// The status text of a rejected message.
extern const char* const tool_request_help;

// A parsed tool request, or nullopt when the message holds none. An
// ill-formed one (arguments not an object, bad peer id) is an error.
struct tool_request {
  std::string tool;
  boost::json::object arguments;
  std::optional<crypto::peer_id> peer;
};
result<std::optional<tool_request>> find_tool_request(const message& m);

class tool_executor final : public agent_executor {
 public:
  struct config {
    // Remote callers may have us call tools on third peers.
    bool relay_for_peers = false;
  };
  explicit tool_executor(std::shared_ptr<tool_invoker> tools) : tools_(std::move(tools)) {}
  tool_executor(std::shared_ptr<tool_invoker> tools, config cfg) : tools_(std::move(tools)), config_(cfg) {}
  awaitable<void> execute(turn_context ctx, std::shared_ptr<task_updater> updater) override;

 private:
  std::shared_ptr<tool_invoker> tools_;
  config config_;
};

}  // namespace agentp2p::a2a
