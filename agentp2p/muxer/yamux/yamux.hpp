// Yamux (/yamux/1.0.0): many flow-controlled streams over one secured
// channel. Spec: https://github.com/hashicorp/yamux/blob/master/spec.md and
// https://github.com/libp2p/specs/tree/master/yamux. See README.md here.
//
//   auto muxer = std::make_shared<yamux::yamux_muxer>(yamux::config{});
//   auto conn = muxer->create(std::move(secured), is_initiator);
//   conn->set_inbound_handler(...);
//   co_spawn(ex, conn->run(), ...);  // the read loop; ends with the connection
//
// The concrete connection type (for rtt()) is yamux::session, session.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "agentp2p/core/muxer.hpp"

namespace agentp2p::yamux {

inline constexpr std::string_view protocol_id = "/yamux/1.0.0";

// Receive memory shared by every connection of one muxer (one host): the
// sum of all their streams' receive windows. Thread-safe.
class buffer_budget {
 public:
  explicit buffer_budget(std::size_t limit) : limit_(limit) {}
  // Takes `n` bytes of the budget, or nothing when they do not fit.
  bool try_take(std::size_t n) noexcept;
  void give_back(std::size_t n) noexcept;
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::atomic<std::size_t> used_{0};
  std::size_t limit_;
};

struct config {
  using duration = std::chrono::steady_clock::duration;

  // Receive window each new stream starts with. The spec fixes 256 KiB as
  // what both sides assume; a larger value is granted with the SYN/ACK.
  std::uint32_t initial_stream_window = 256 * 1024;

  // Auto-tuning doubles a stream's receive window (up to this) when the
  // reader drains it within a few round trips, i.e. when the window rather
  // than the reader limits throughput (as go-yamux does).
  std::uint32_t max_stream_window = 16 * 1024 * 1024;

  // Largest Data payload we send. 65535 - 16 - 12 makes header + payload
  // fill exactly one Noise transport message (65535 bytes with its tag),
  // so a bulk write is whole Noise frames, each one Yamux frame (65536 - 28
  // spilled 4 bytes per frame into a fifth, tiny Noise frame per batch).
  std::uint32_t max_frame_size = 65535 - 16 - 12;

  // Open streams per connection, both directions. Inbound streams beyond
  // it are refused with RST (the connection stays up); open_stream()
  // beyond it fails with errc::limit_exceeded.
  std::size_t max_streams = 1024;

  // Outbound streams the peer has not acknowledged yet; open_stream()
  // waits while this many are pending (rust-yamux's ACK backlog).
  std::size_t max_pending_outbound = 256;

  // Receive memory the peer may make us hold: the sum of all streams'
  // receive windows. Every stream commits its initial window when opened,
  // so this also caps streams (64 MiB = 256 streams at 256 KiB); window
  // growth takes only what is left. Streams that do not fit are refused
  // like those beyond max_streams.
  std::size_t max_connection_buffer = 64 * 1024 * 1024;

  // The same over all connections of the muxer (the node): 2 GiB = 8192
  // streams at the initial window. Streams that do not fit are refused.
  std::size_t max_node_buffer = std::size_t{2} * 1024 * 1024 * 1024;
  // Its accounting; yamux_muxer creates it when empty (muxers given the
  // same one share the budget).
  std::shared_ptr<buffer_budget> node_budget;

  // A Ping every interval (0 disables); the connection ends with
  // errc::timeout when one is unanswered after keepalive_timeout. One ping
  // is always sent at start to measure the round-trip time for auto-tuning.
  duration keepalive_interval = std::chrono::seconds(30);
  duration keepalive_timeout = std::chrono::seconds(10);

  // How long the end of a connection may take to flush GoAway before the
  // channel is aborted.
  duration close_timeout = std::chrono::seconds(5);

  // Throws std::invalid_argument naming the bad field (start-up check).
  void validate() const;
};

class yamux_muxer final : public core::muxer {
 public:
  explicit yamux_muxer(config cfg = {});  // validates cfg

  std::string_view protocol_id() const override { return yamux::protocol_id; }
  std::shared_ptr<core::muxed_connection> create(std::unique_ptr<core::byte_stream> secured,
                                                 bool is_initiator) override;

  const config& settings() const noexcept { return config_; }

 private:
  config config_;
};

}  // namespace agentp2p::yamux
