#include "agentp2p/agent/praxis/remote_tools.hpp"

#include "agentp2p/agent/praxis/tool_protocol.hpp"

namespace agentp2p::praxis {

remote_tools::remote_tools(std::shared_ptr<host::host> h, std::shared_ptr<registry::peer_registry> peers,
                           client_config cfg)
    : host_(h), peers_(std::move(peers)), config_(cfg) {}

std::vector<remote_tools::tool> remote_tools::list() const {
  std::vector<tool> out;
  for (const auto& e : peers_->peers()) {
    if (!e.connected || !e.card) continue;
    for (const auto& spec : e.card->tools) out.push_back(tool{e.peer, spec});
  }
  return out;
}

std::vector<card::tool_spec> remote_tools::tools_of(const crypto::peer_id& peer) const {
  auto e = peers_->get(peer);
  if (!e || !e->card) return {};
  return e->card->tools;
}

awaitable<result<boost::json::value>> remote_tools::call(crypto::peer_id peer, std::string name,
                                                         boost::json::object arguments, tools::call_options opts) {
  auto h = host_.lock();
  if (!h) co_return make_error(errc::closed, "the host is gone");
  auto cfg = config_;
  if (opts.deadline)
    cfg.deadline = std::chrono::duration_cast<std::chrono::milliseconds>(*opts.deadline);
  co_return co_await call_remote_tool(*h, std::move(peer), std::move(name), std::move(arguments), cfg);
}

awaitable<result<boost::json::value>> remote_tools::call(crypto::peer_id peer, std::string name,
                                                         boost::json::object arguments) {
  return call(std::move(peer), std::move(name), std::move(arguments), tools::call_options());
}

}  // namespace agentp2p::praxis
