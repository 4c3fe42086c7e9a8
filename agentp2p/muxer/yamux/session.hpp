// One Yamux connection: the frame read loop, the stream table, the single
// writer that serializes every frame onto the channel, keep-alive and
// GoAway. Streams (stream.hpp) hold a shared_ptr to their session; the
// session knows its streams by raw pointer and each stream unregisters
// itself when it closes or is destroyed.
//
// Tasks: run() is the only entry point that spawns work; it runs the read
// loop, the writer and the keep-alive together and returns only when all of
// them have finished, so nothing outlives it. The read loop never waits for
// a local reader or for the writer: frames it must answer (ACK, RST, Ping
// ACK, WindowUpdate) go into the writer's control queue, so a peer that
// stops reading cannot stall our reading, nor vice versa.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "agentp2p/core/muxer.hpp"
#include "agentp2p/muxer/yamux/buffered_reader.hpp"
#include "agentp2p/muxer/yamux/fifo.hpp"
#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/notifier.hpp"
#include "agentp2p/muxer/yamux/recv_buffer.hpp"
#include "agentp2p/muxer/yamux/yamux.hpp"

namespace agentp2p::yamux {

class stream;

// Data frames a stream hands to the writer: up to max_frames frames cut from
// one contiguous payload in the caller's buffer (no copy). The caller waits
// until the writer reports `done`.
struct write_request {
  static constexpr std::size_t max_frames = 4;

  explicit write_request(const executor& ex) : done_wake(ex) {}

  std::array<header_bytes, max_frames> headers{};
  std::size_t frames = 0;
  std::size_t frame_size = 0;  // payload per frame; the last may be shorter
  byte_span payload;

  enum class state { queued, in_flight, done } st = state::queued;
  result<void> outcome;
  notifier done_wake;  // notified exactly once, when st becomes done
};

class session final : public core::muxed_connection, public std::enable_shared_from_this<session> {
 public:
  using duration = config::duration;

  session(std::unique_ptr<core::byte_stream> channel, bool is_initiator, const config& cfg);
  ~session() override;

  void set_inbound_handler(inbound_handler h) override;
  // Returns errc::end_of_stream when the peer closed the channel, errc::closed
  // after close(), errc::protocol_error (GoAway sent) when the peer broke the
  // protocol, errc::timeout when a keep-alive ping went unanswered.
  awaitable<result<void>> run() override;
  awaitable<result<std::shared_ptr<core::muxed_stream>>> open_stream() override;
  awaitable<void> close() override;
  bool is_closed() const override;
  std::size_t stream_count() const override { return streams_.size(); }

  // Smoothed round-trip time from Ping frames; empty until the first answer.
  std::optional<duration> rtt() const { return rtt_; }
  // True once the peer sent GoAway: no new outbound streams.
  bool remote_went_away() const { return remote_go_away_; }
  executor get_executor() const { return executor_; }
  const config& settings() const { return config_; }

 private:
  friend class stream;
  enum class phase { idle, running, ending, finished };

  // run()'s parts.
  awaitable<result<void>> reader_side();
  awaitable<result<void>> read_loop();
  awaitable<result<void>> watch_stop();
  awaitable<result<void>> keepalive_loop();
  awaitable<result<void>> wait_pong(std::uint32_t id);
  awaitable<result<void>> wait_writer_done();
  awaitable<void> writer_loop();
  awaitable<void> linger();
  awaitable<result<void>> drain_input();

  // Frame handlers (read loop).
  struct frame_target {
    std::shared_ptr<stream> s;  // empty: drop the frame
    bool accepted = false;      // opened by this frame's SYN
  };
  result<frame_target> target_of(const header& h);
  void finish_frame(const frame_target& t, const header& h);
  // Handles a frame that needs no waiting (its payload is buffered);
  // nullopt, having done nothing, when it must go through on_stream_frame.
  std::optional<result<void>> stream_frame_now(const header& h);
  awaitable<result<void>> on_stream_frame(const header& h);
  awaitable<result<void>> receive_data(stream& s, const header& h);
  awaitable<result<void>> discard(const header& h);
  result<std::shared_ptr<stream>> accept_stream(const header& h);
  result<void> on_ping(const header& h);
  result<void> on_go_away(const header& h);

  // Used by streams and the loops.
  void send_control(const header& h);
  result<void> send_refusal(std::uint32_t id);
  void send_go_away(go_away_code code);
  void request_stop(error e);
  void end(const error& reason);
  awaitable<result<void>> submit(write_request& req);
  // True when a stream may write its frames to the channel itself: nothing
  // is queued and no write is outstanding, so order is kept.
  bool can_write_directly() const noexcept {
    return phase_ == phase::running && !writer_stop_ && !writer_done_ && !channel_busy_ && control_.empty() &&
           data_.empty();
  }
  // A stream writing its frames itself: prepare_direct() builds them in
  // `w` and marks the channel busy; the stream awaits channel_->write_v on
  // the returned parts (its owner's cancellation held off: half a frame
  // would corrupt the channel), then finish_direct() frees the channel.
  struct direct_write {
    std::array<header_bytes, write_request::max_frames> headers;
    std::array<byte_span, 2 * write_request::max_frames> parts;
  };
  std::span<const byte_span> prepare_direct(direct_write& w, std::uint32_t id, byte_span chunk);
  result<void> finish_direct(result<void> outcome, bool cancelled);
  void withdraw(write_request& req, error e);
  void forget(stream& s);
  // Commits `n` more bytes of receive window against the connection's and
  // the node's budgets (false when either is short); release() gives them back.
  bool try_reserve(std::size_t n);
  void release(std::size_t n);
  bool accepting() const;
  error closed_error() const;

  executor executor_;
  std::unique_ptr<core::byte_stream> channel_;
  buffered_reader reader_;
  config config_;
  chunk_pool pool_;  // receive blocks for this connection's streams (before any stream)
  bool initiator_;
  std::uint64_t next_id_;

  phase phase_ = phase::idle;
  std::optional<error> stop_reason_;
  bool local_go_away_ = false;
  bool remote_go_away_ = false;
  inbound_handler handler_;

  std::unordered_map<std::uint32_t, stream*> streams_;
  std::size_t pending_outbound_ = 0;  // opened, not yet ACKed
  std::size_t committed_ = 0;         // sum of receive windows

  fifo<header_bytes> control_;  // sent before data, in order
  fifo<write_request*> data_;
  bool writer_stop_ = false;
  bool writer_done_ = false;
  bool channel_busy_ = false;  // a write to the channel is outstanding (writer or a stream)

  asio::steady_timer* keepalive_timer_ = nullptr;  // keepalive_loop's, while it runs
  std::uint32_t ping_id_ = 0;
  std::uint32_t pong_id_ = 0;
  std::chrono::steady_clock::time_point ping_sent_{};
  std::optional<duration> rtt_;

  notifier writer_wake_;    // control_/data_ gained work, or writer_stop_
  notifier stop_wake_;      // stop_reason_ set
  notifier ack_wake_;       // pending_outbound_ fell, or the connection closed
  notifier ping_wake_;      // a pong arrived
  notifier writer_done_wake_;
  notifier finished_wake_;  // phase_ became finished
};

}  // namespace agentp2p::yamux
