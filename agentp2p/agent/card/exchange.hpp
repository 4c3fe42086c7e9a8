// /praxis/card/1.0.0: both sides write their own card (one JSON line), then
// read the peer's. A card whose peerId is not the stream's authenticated
// remote peer is rejected (errc::peer_id_mismatch) and counted as spoofed.
// Cards are signed (signed_card.hpp): a received card is verified, unsigned
// ones (praxis-go-sdk) are accepted and marked signature_state::unsigned_card,
// one whose signature does not verify is rejected (errc::crypto_error).
// The service sends each peer the card it builds for that peer (the tool
// policy decides which tools it lists).
//
//   auto cards = card::service::start(host, [&] { return card::make_card(reg, host->id(), info); });
//   cards->on_card([](const crypto::peer_id& p, const card::agent_card& c) { ... });
//   auto theirs = co_await cards->exchange(peer);          // or card::exchange_card(...)
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/host/host.hpp"

namespace agentp2p::card {

inline constexpr std::string_view protocol_id = "/praxis/card/1.0.0";

struct exchange_config {
  // Largest card line accepted.
  std::size_t max_line = 4 * 1024 * 1024;
  // Whole exchange: open (client), write ours, read theirs.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // Sign the cards we send with the host's identity key.
  bool sign = true;
  // After the exchange, how long we wait for the peer to close its side
  // before resetting the stream (closing early would discard our card at a
  // peer that has not read it yet).
  std::chrono::milliseconds linger{std::chrono::seconds(2)};
  limits card_limits;
};

// The exchange over an open stream, from either side.
awaitable<result<agent_card>> exchange_over(host::stream& s, agent_card ours, exchange_config cfg);

// Client: opens /praxis/card/1.0.0 to `peer`, exchanges, returns its card.
awaitable<result<agent_card>> exchange_card(host::host& h, crypto::peer_id peer, agent_card ours, exchange_config cfg);
awaitable<result<agent_card>> exchange_card(host::host& h, crypto::peer_id peer, agent_card ours);

// The server side plus a client that shares its card source and listeners.
// Lives on the host's executor.
class service : public std::enable_shared_from_this<service> {
 public:
  using card_source = std::function<agent_card()>;
  // Our card as `caller` (a peer id; empty = a local viewer) may see it.
  using card_source_for = std::function<agent_card(std::string_view caller)>;
  using listener = std::function<void(const crypto::peer_id& peer, const agent_card& card)>;

  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, card_source ours, exchange_config cfg = {});
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, card_source_for ours, exchange_config cfg = {});
  ~service();
  // Removes the stream handler; exchanges in progress finish.
  void stop();

  // Our card as a local viewer sees it (every tool), unsigned.
  agent_card our_card() const { return source_(""); }
  // The card we send `peer`: its tools, signed when config says so.
  agent_card card_for(const crypto::peer_id& peer) const;
  const exchange_config& settings() const noexcept { return config_; }

  // Exchanges with `peer` now; listeners hear of the card as well.
  awaitable<result<agent_card>> exchange(crypto::peer_id peer);

  // Every valid card received, either direction, on the host's executor.
  std::uint64_t on_card(listener l);
  void remove_listener(std::uint64_t token);

  std::uint64_t cards_received() const noexcept { return received_; }
  // Cards rejected because their peerId was not the sender.
  std::uint64_t spoofed_cards() const noexcept { return spoofed_; }
  // Cards rejected because their signature did not verify.
  std::uint64_t invalid_signatures() const noexcept { return invalid_; }
  std::uint64_t failed_exchanges() const noexcept { return failed_; }

 private:
  service(std::shared_ptr<host::host> h, card_source_for ours, exchange_config cfg);
  static awaitable<void> serve(std::shared_ptr<service> self, std::shared_ptr<host::stream> s);
  void record(const crypto::peer_id& peer, const result<agent_card>& r, std::string_view direction);

  std::weak_ptr<host::host> host_;
  card_source_for source_;
  exchange_config config_;
  std::map<std::uint64_t, listener> listeners_;
  std::uint64_t next_listener_ = 1;
  std::uint64_t received_ = 0;
  std::uint64_t spoofed_ = 0;
  std::uint64_t invalid_ = 0;
  std::uint64_t failed_ = 0;
  bool stopped_ = false;
};

}  // namespace agentp2p::card
