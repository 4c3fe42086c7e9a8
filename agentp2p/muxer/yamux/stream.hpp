// One Yamux stream: its receive buffer and windows, half-close and reset.
// The session's read loop feeds it (take_credit / begin_receive /
// end_receive / on_window_update / on_flags); the application reads and
// writes it. Writes wait for send-window credit and hand frames to the
// session's writer without copying.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "agentp2p/core/muxer.hpp"
#include "agentp2p/muxer/yamux/notifier.hpp"
#include "agentp2p/muxer/yamux/recv_buffer.hpp"

namespace agentp2p::yamux {

class session;
struct write_request;

class stream final : public core::muxed_stream, public std::enable_shared_from_this<stream> {
 public:
  stream(std::shared_ptr<session> owner, std::uint32_t id, bool outbound);
  // Dropping a stream the peer may still write to resets it.
  ~stream() override;

  executor get_executor() const override;
  std::uint32_t id() const override { return id_; }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override;
  awaitable<result<void>> write(byte_span data) override;
  // Small scattered writes (a length prefix and its message) become one frame.
  awaitable<result<void>> write_v(std::span<const byte_span> parts) override;
  awaitable<result<void>> close_write() override;
  void reset() override;

 private:
  friend class session;

  // Read loop side.
  result<void> take_credit(std::uint32_t n);
  bool accepts_data() const { return !remote_fin_ && !reset_; }
  mutable_byte_span begin_receive(std::uint32_t n);
  void end_receive(bool ok);
  // A reader waiting with room for a whole n-byte payload: the read loop
  // reads it straight into the reader's buffer (one copy fewer, no receive
  // buffer), then end_direct_receive().
  bool can_receive_directly(std::uint32_t n) const noexcept {
    return !reader_buf_.empty() && reader_buf_.size() >= n && buffer_.empty() && !reset_;
  }
  mutable_byte_span begin_direct_receive(std::uint32_t n);
  void end_direct_receive(bool ok);
  void on_window_update(std::uint32_t delta);
  void on_flags(std::uint16_t flags);
  void fail(const error& e);  // the connection ended

  void after_consume();
  void after_consume(bool reader_waiting);
  error reset_error() const;
  awaitable<result<void>> send_frames(byte_span chunk);

  std::shared_ptr<session> session_;
  std::uint32_t id_;
  bool outbound_;
  bool acked_;      // outbound: the peer ACKed (or refused) it
  bool in_table_ = true;
  bool local_fin_ = false;
  bool remote_fin_ = false;
  bool reset_ = false;
  bool reset_by_peer_ = false;
  std::optional<error> failure_;

  recv_buffer buffer_;
  std::uint32_t recv_window_;      // target window (grows by auto-tuning)
  std::uint32_t recv_credit_;      // what the peer may still send
  std::uint32_t incoming_ = 0;     // bytes of a frame being read into buffer_ or reader_buf_
  mutable_byte_span reader_buf_;   // a waiting read_some()'s buffer
  bool direct_incoming_ = false;   // the read loop is filling reader_buf_
  std::size_t direct_got_ = 0;     // bytes it delivered there
  std::chrono::steady_clock::time_point window_epoch_;
  std::uint64_t send_credit_;      // what we may still send

  bool writing_ = false;              // a write() is in progress
  write_request* pending_ = nullptr;  // its frames, handed to the writer
  notifier read_wake_;
  notifier write_wake_;
};

}  // namespace agentp2p::yamux
