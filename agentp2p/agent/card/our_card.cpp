// Our own card, from the tool registry and our identity.
#include <chrono>

#include "agentp2p/agent/card/card.hpp"

namespace agentp2p::card {

namespace {

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string clip(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

}  // namespace

std::vector<std::string> card_info::default_capabilities() { return {"mcp", "p2p", "tools"}; }

namespace {

agent_card build(const std::vector<tools::tool_definition>& defs, const crypto::peer_id& self, const card_info& info,
                 const limits& lim) {
  agent_card c;
  c.name = clip(info.name, lim.max_string);
  c.version = clip(info.version, lim.max_string);
  c.peer_id = self.to_string();
  for (const auto& cap : info.capabilities) {
    if (c.capabilities.size() == lim.max_capabilities) break;
    c.capabilities.push_back(clip(cap, lim.max_string));
  }
  for (const auto& def : defs) {
    if (c.tools.size() == lim.max_tools) break;
    auto spec = spec_of(def);
    spec.description = clip(std::move(spec.description), lim.max_description);
    if (spec.parameters.size() > lim.max_parameters) spec.parameters.resize(lim.max_parameters);
    for (auto& p : spec.parameters) {
      p.name = clip(std::move(p.name), lim.max_string);
      p.type = clip(std::move(p.type), lim.max_string);
      p.description = clip(std::move(p.description), lim.max_description);
    }
    c.tools.push_back(std::move(spec));
  }
  c.timestamp = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return c;
}

}  // namespace

agent_card make_card(const tools::registry& reg, const crypto::peer_id& self, const card_info& info, const limits& lim) {
  return build(reg.list(), self, info, lim);
}

agent_card make_card_for(const tools::registry& reg, const crypto::peer_id& self, const card_info& info,
                         std::string_view caller, const limits& lim) {
  return build(reg.list_for(caller), self, info, lim);
}

}  // namespace agentp2p::card
