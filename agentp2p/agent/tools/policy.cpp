#include "agentp2p/agent/tools/policy.hpp"

#include <algorithm>

namespace agentp2p::tools {

std::string_view to_string(tool_origin o) noexcept {
  switch (o) {
    case tool_origin::local: return "local";
    case tool_origin::builtin: return "builtin";
    case tool_origin::external: return "external";
  }
  return "local";
}

bool exposure::admits(std::string_view peer) const {
  switch (who) {
    case scope::everyone: return true;
    case scope::nobody: return false;
    case scope::listed: return std::find(peers.begin(), peers.end(), peer) != peers.end();
  }
  return false;
}

std::optional<std::string> policy::refuse(std::string_view tool, tool_origin origin, std::string_view caller) const {
  if (caller.empty()) return std::nullopt;  // local callers may call everything
  const exposure* e = nullptr;
  if (auto it = config_.tools.find(tool); it != config_.tools.end()) {
    e = &it->second;
  } else {
    switch (origin) {
      case tool_origin::builtin: e = &config_.builtin_tools; break;
      case tool_origin::local: e = &config_.local_tools; break;
      case tool_origin::external: e = &config_.external_tools; break;
    }
  }
  if (e->admits(caller)) return std::nullopt;
  std::string why = "tool \"" + std::string(tool) + "\" is not exposed to peer " + std::string(caller);
  if (origin == tool_origin::external && e->who == exposure::scope::nobody)
    why += " (it comes from an external MCP server; the node's tool policy must expose it)";
  return why;
}

}  // namespace agentp2p::tools
