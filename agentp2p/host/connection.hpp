// A live, upgraded connection to one peer (TCP + security + muxer), and the
// application-level stream type handed to protocol handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "agentp2p/core/muxer.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"
#include "agentp2p/multistream/multistream.hpp"

namespace agentp2p::host {

enum class direction { inbound, outbound };
std::string_view to_string(direction d) noexcept;

struct connection_info {
  std::uint64_t id = 0;  // unique within the host
  crypto::peer_id remote_peer;
  crypto::public_key remote_key;
  multiformats::multiaddr local_addr;
  multiformats::multiaddr remote_addr;
  host::direction direction = direction::outbound;
  std::string security;  // negotiated protocol ids
  std::string muxer;
  std::chrono::steady_clock::time_point opened_at;
};

class connection {
 public:
  connection(connection_info info, std::shared_ptr<core::muxed_connection> muxed)
      : info_(std::make_shared<const connection_info>(std::move(info))), muxed_(std::move(muxed)) {}

  const connection_info& info() const noexcept { return *info_; }
  std::shared_ptr<const connection_info> shared_info() const noexcept { return info_; }
  const crypto::peer_id& remote_peer() const noexcept { return info_->remote_peer; }
  core::muxed_connection& muxed() noexcept { return *muxed_; }
  std::shared_ptr<core::muxed_connection> shared_muxed() const noexcept { return muxed_; }
  bool is_closed() const { return muxed_->is_closed(); }

 private:
  std::shared_ptr<const connection_info> info_;
  std::shared_ptr<core::muxed_connection> muxed_;
};

// A negotiated stream: a muxed stream plus the protocol agreed on and the
// connection it runs over. It is itself a byte_stream.
// Finishing: close_write() when done sending, and read until end_of_stream
// before dropping it; dropping a stream the peer may still write to resets it
// (the peer's unread data is discarded), which is also how to abort one.
//
// A stream opened with host::new_stream_lazy() has not negotiated yet: its
// first write (or close_write) carries the multistream proposal, and its
// first read checks the peer's answer (errc::unsupported when refused).
class stream final : public core::byte_stream {
 public:
  stream(std::shared_ptr<core::muxed_stream> s, std::string protocol, std::shared_ptr<const connection_info> conn)
      : stream_(std::move(s)), protocol_(std::move(protocol)), conn_(std::move(conn)) {}
  struct lazy_t {};
  static constexpr lazy_t lazy{};
  stream(lazy_t, std::shared_ptr<core::muxed_stream> s, std::string protocol,
         std::shared_ptr<const connection_info> conn);

  const std::string& protocol() const noexcept { return protocol_; }
  const connection_info& connection() const noexcept { return *conn_; }
  const crypto::peer_id& remote_peer() const noexcept { return conn_->remote_peer; }

  executor get_executor() const override { return stream_->get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!select_.echo_pending()) return stream_->read_some(buf);
    return read_after_echo(buf);
  }
  awaitable<result<void>> write(byte_span data) override {
    if (!select_.proposal_pending()) return stream_->write(data);
    return select_.write_with_proposal(*stream_, data);
  }
  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    if (!select_.proposal_pending()) return stream_->write_v(parts);
    return select_.write_v_with_proposal(*stream_, parts);
  }
  awaitable<result<void>> close_write() override {
    if (!select_.proposal_pending()) return stream_->close_write();
    return close_after_proposal();
  }
  void reset() override { stream_->reset(); }

 private:
  awaitable<result<std::size_t>> read_after_echo(mutable_byte_span buf);
  awaitable<result<void>> close_after_proposal();

  std::shared_ptr<core::muxed_stream> stream_;
  std::string protocol_;
  std::shared_ptr<const connection_info> conn_;
  multistream::lazy_select select_;  // a lazily selected stream's proposal and echo, until done
};

}  // namespace agentp2p::host
