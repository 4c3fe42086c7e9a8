// The praxis A2A protocols on a libp2p host:
//   /praxis/a2a/1.0.0       A2A JSON-RPC 2.0, one request per line, answered
//                           in order until EOF; a streaming method writes one
//                           response line per event on the same stream.
//   /praxis/a2a.card/0.3.0  {"type":"request_card","timestamp":N} →
//                           {"type":"card_response","card":<A2A 0.3 card>};
//                           {"type":"card_offer","card":{..}} →
//                           {"type":"card_ack","status":"received"}.
// Wire formats follow praxis-go-sdk (internal/p2p/protocol.go).
// The caller of every request is the stream's authenticated peer.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "agentp2p/agent/a2a/dispatcher.hpp"
#include "agentp2p/agent/a2a/protocols.hpp"
#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::a2a {

struct service_config {
  // One request line; a longer one is answered with -32600 and skipped.
  std::size_t max_line = agent::default_max_line;
  // Requests one stream may carry; then the stream is closed.
  std::size_t max_requests_per_stream = 1000;
  // Waiting for the next request line; an idle stream is reset after it.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // Writing one response line (a reader that stops reading is cut off).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // The card protocol: one message each way.
  std::size_t max_card_bytes = 256 * 1024;
  std::chrono::milliseconds card_timeout{std::chrono::seconds(10)};
  // Offered cards remembered (one per peer; the oldest is forgotten first).
  std::size_t max_peer_cards = 1024;
};

class service : public std::enable_shared_from_this<service> {
 public:
  // Registers both protocol handlers on `h`. An empty card url becomes
  // "/p2p/<host peer id>".
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, std::shared_ptr<dispatcher> d,
                                        service_config cfg = {});
  ~service();  // removes the handlers

  // Cards peers offered us over /praxis/a2a.card/0.3.0.
  std::optional<boost::json::object> peer_card(const crypto::peer_id& peer) const;
  std::size_t peer_card_count() const noexcept { return cards_.size(); }

  dispatcher& rpc() noexcept { return *dispatcher_; }
  const service_config& settings() const noexcept { return config_; }

 private:
  service(std::shared_ptr<host::host> h, std::shared_ptr<dispatcher> d, service_config cfg)
      : host_(h), dispatcher_(std::move(d)), config_(cfg) {}
  static awaitable<void> serve_rpc(std::weak_ptr<service> w, std::shared_ptr<host::stream> s);
  static awaitable<void> serve_card(std::weak_ptr<service> w, std::shared_ptr<host::stream> s);
  boost::json::value answer_card_message(const crypto::peer_id& from, const boost::json::value& msg);
  void remember_card(const crypto::peer_id& peer, boost::json::object card);

  struct card_entry {
    boost::json::object card;
    std::list<crypto::peer_id>::iterator order;
  };
  std::weak_ptr<host::host> host_;
  std::shared_ptr<dispatcher> dispatcher_;
  service_config config_;
  std::unordered_map<crypto::peer_id, card_entry> cards_;
  std::list<crypto::peer_id> card_order_;  // oldest first
};

}  // namespace agentp2p::a2a
