#include "agentp2p/agent/praxis/agent_services.hpp"

#include <boost/asio/post.hpp>

#include "agentp2p/agent/praxis/mcp_protocol.hpp"
#include "agentp2p/agent/praxis/tool_protocol.hpp"

namespace agentp2p::praxis {

agent_services::agent_services(std::shared_ptr<host::host> h, config cfg)
    : host_(h), config_(std::move(cfg)), tools_(std::make_shared<tools::registry>(config_.tools)) {}

std::unique_ptr<agent_services> agent_services::start(std::shared_ptr<host::host> h,
                                                      std::shared_ptr<identify::service> id, config cfg) {
  std::unique_ptr<agent_services> self(new agent_services(h, std::move(cfg)));
  auto& c = self->config_;
  if (!c.server.mcp_fallback) c.server.mcp_fallback = std::make_shared<mcp_execute_fn>();

  // Our card is built when sent, so it always lists the current tools.
  std::weak_ptr<tools::registry> weak_tools = self->tools_;
  std::weak_ptr<host::host> weak_host = h;
  self->cards_ = card::service::start(
      h,
      [weak_tools, weak_host, info = c.card, lim = c.card_exchange.card_limits] {
        auto reg = weak_tools.lock();
        auto host = weak_host.lock();
        if (!reg || !host) return card::agent_card{};
        return card::make_card(*reg, host->id(), info, lim);
      },
      c.card_exchange);
  self->peers_ = registry::peer_registry::start(h, std::move(id), self->cards_, c.peers);
  self->remote_ = std::make_unique<remote_tools>(h, self->peers_, c.client);
  if (c.serve_tools) serve_tool_protocol(*h, self->tools_, c.server);
  if (c.serve_mcp) serve_mcp_protocol(*h, self->tools_, c.server);

  // When our tools change, peers that have our card get the new one (the
  // exchange is mutual). The change may come from any thread: hop to the host's.
  std::weak_ptr<registry::peer_registry> weak_peers = self->peers_;
  auto ex = h->get_executor();
  self->tools_listener_ = self->tools_->on_change([weak_peers, ex] {
    asio::post(ex, [weak_peers] {
      if (auto peers = weak_peers.lock()) peers->refresh_all_cards();
    });
  });
  return self;
}

agent_services::~agent_services() { stop(); }

void agent_services::stop() {
  if (stopped_) return;
  stopped_ = true;
  tools_->remove_listener(tools_listener_);
  if (auto h = host_.lock()) {
    if (config_.serve_tools) h->remove_stream_handler(tool_protocol_id);
    if (config_.serve_mcp) h->remove_stream_handler(mcp_protocol_id);
  }
  peers_->stop();
  cards_->stop();
}

}  // namespace agentp2p::praxis
