#include "agentp2p/muxer/yamux/yamux.hpp"

#include <stdexcept>
#include <string>

#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/session.hpp"

namespace agentp2p::yamux {

void config::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("yamux config: " + what); };
  if (initial_stream_window < default_window)
    fail("initial_stream_window must be at least 256 KiB, the window both sides assume");
  if (max_stream_window < initial_stream_window) fail("max_stream_window must be at least initial_stream_window");
  if (max_frame_size < 1024) fail("max_frame_size must be at least 1 KiB");
  if (max_streams == 0) fail("max_streams must be positive");
  if (max_pending_outbound == 0) fail("max_pending_outbound must be positive");
  if (max_connection_buffer < initial_stream_window)
    fail("max_connection_buffer must hold at least one initial_stream_window");
  if (max_node_buffer < initial_stream_window) fail("max_node_buffer must hold at least one initial_stream_window");
  if (keepalive_interval < duration::zero()) fail("keepalive_interval must not be negative");
  if (keepalive_timeout <= duration::zero()) fail("keepalive_timeout must be positive");
  if (close_timeout <= duration::zero()) fail("close_timeout must be positive");
}

bool buffer_budget::try_take(std::size_t n) noexcept {
  auto used = used_.load(std::memory_order_relaxed);
  do {
    if (used + n > limit_) return false;
  } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
  return true;
}

void buffer_budget::give_back(std::size_t n) noexcept { used_.fetch_sub(n, std::memory_order_relaxed); }

yamux_muxer::yamux_muxer(config cfg) : config_(std::move(cfg)) {
  config_.validate();
  if (!config_.node_budget) config_.node_budget = std::make_shared<buffer_budget>(config_.max_node_buffer);
}

std::shared_ptr<core::muxed_connection> yamux_muxer::create(std::unique_ptr<core::byte_stream> secured,
                                                            bool is_initiator) {
  if (!secured) throw std::invalid_argument("yamux: create() needs a channel");
  return std::make_shared<session>(std::move(secured), is_initiator, config_);
}

}  // namespace agentp2p::yamux
