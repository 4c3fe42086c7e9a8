// Tool policy: which peers may call which tools.
//
// Every tool has an origin (tool_definition::origin):
//   builtin   the node's informational tools (node_info, list_peers)
//   local     registered by the embedding application or the operator
//   external  proxied from an external MCP server: it may read files, reach
//             networks or spend money on the operator's behalf
// and an exposure: who, besides local callers, may call it.
//
// Defaults (policy_config): builtin and local tools are exposed to every
// peer; external tools to no peer until the config exposes them, to every
// peer or to listed peers. A per-tool entry overrides the default of its
// origin (it can also hide a local tool: `nobody`). Local callers (an empty
// caller: the daemon's HTTP API, code in-process) may call every tool.
//
// The registry enforces it on every remote call (call_options::caller), so the
// praxis tool and MCP protocols and the A2A tool executor share one check, and
// the card a peer receives lists only what that peer may call.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentp2p::tools {

enum class tool_origin { local, builtin, external };
std::string_view to_string(tool_origin o) noexcept;

struct exposure {
  enum class scope { nobody, listed, everyone };
  scope who = scope::everyone;
  std::vector<std::string> peers;  // peer ids (base58 text), when who == listed

  static exposure everyone() { return {scope::everyone, {}}; }
  static exposure nobody() { return {scope::nobody, {}}; }
  static exposure only(std::vector<std::string> peers) { return {scope::listed, std::move(peers)}; }
  bool admits(std::string_view peer) const;
};

struct policy_config {
  exposure builtin_tools = exposure::everyone();
  exposure local_tools = exposure::everyone();
  exposure external_tools = exposure::nobody();
  // Per tool name; overrides the origin's default.
  std::map<std::string, exposure, std::less<>> tools;
};

class policy {
 public:
  explicit policy(policy_config cfg = {}) : config_(std::move(cfg)) {}
  // nullopt when `caller` (a peer id; empty = local) may call the tool named
  // `tool` of `origin`, else why not.
  std::optional<std::string> refuse(std::string_view tool, tool_origin origin, std::string_view caller) const;
  bool allows(std::string_view tool, tool_origin origin, std::string_view caller) const {
    return !refuse(tool, origin, caller);
  }
  const policy_config& settings() const noexcept { return config_; }

 private:
  policy_config config_;
};

}  // namespace agentp2p::tools
