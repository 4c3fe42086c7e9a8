#include "agentp2p/muxer/yamux/stream.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>

#include <boost/asio/this_coro.hpp>

#include "agentp2p/muxer/yamux/session.hpp"

namespace agentp2p::yamux {

namespace {
using clock = std::chrono::steady_clock;

// Cancellation filter for a write that must not stop half-way (a partial
// frame would corrupt the channel): swallows the owner's cancellation and
// records that it came.
struct note_cancellation {
  bool* seen = nullptr;
  asio::cancellation_type_t operator()(asio::cancellation_type_t type) const noexcept {
    if (type != asio::cancellation_type::none) *seen = true;
    return asio::cancellation_type::none;
  }
};

// write_v() joins scattered parts up to this size into one frame.
constexpr std::size_t join_limit = 4096;
}  // namespace

stream::stream(std::shared_ptr<session> owner, std::uint32_t id, bool outbound)
    : session_(std::move(owner)),
      id_(id),
      outbound_(outbound),
      acked_(!outbound),
      buffer_(&session_->pool_),
      recv_window_(session_->config_.initial_stream_window),
      recv_credit_(recv_window_),
      window_epoch_(clock::now()),
      send_credit_(default_window),
      read_wake_(session_->executor_),
      write_wake_(session_->executor_) {}

stream::~stream() {
  // Still registered means the peer may still write to it: abort, so it
  // neither waits for us nor spends our window.
  if (in_table_) {
    session_->send_control({frame_type::window_update, flag::rst, id_, 0});
    session_->forget(*this);
  }
}

executor stream::get_executor() const { return session_->executor_; }

error stream::reset_error() const {
  return make_error(errc::reset, "yamux: stream " + std::to_string(id_) +
                                     (reset_by_peer_ ? " was reset by the peer" : " was reset"));
}

// ---- reading -------------------------------------------------------------

awaitable<result<std::size_t>> stream::read_some(mutable_byte_span buf) {
  if (buf.empty()) co_return std::size_t{0};
  for (;;) {
    if (reset_) co_return reset_error();
    if (!buffer_.empty()) {
      auto n = buffer_.read(buf);
      after_consume();
      co_return n;
    }
    if (remote_fin_)
      co_return make_error(errc::end_of_stream, "yamux: stream " + std::to_string(id_) + " closed by peer");
    if (failure_) co_return *failure_;
    // While we wait, the read loop may put a payload straight into `buf`.
    reader_buf_ = buf;
    direct_got_ = 0;
    bool woke = co_await read_wake_.wait();
    // The read loop may be part-way through filling `buf` (its socket read
    // suspended); `buf` must stay ours until it is done, even when cancelled.
    while (direct_incoming_) co_await read_wake_.wait_uninterruptible();
    reader_buf_ = {};
    if (direct_got_ > 0) {
      auto n = direct_got_;
      direct_got_ = 0;
      co_return n;
    }
    if (!woke) co_return make_error(errc::cancelled, "yamux: read cancelled");
  }
}

// Returns window to the peer once the reader has freed half of it, and grows
// the window when that happened within a few round trips, or while the
// reader was waiting for data (the window, not the reader, is then what
// limits throughput; a reader that keeps up holds no buffered bytes, so the
// larger window costs no memory). The RTT alone was not enough: measured
// once on an idle connection, it is far below the time a loaded machine
// takes to move a window, and the window never grew.
void stream::after_consume() { after_consume(false); }

void stream::after_consume(bool reader_waiting) {
  if (remote_fin_ || reset_ || failure_ || !in_table_) return;
  std::uint64_t held = std::uint64_t{recv_credit_} + buffer_.size() + incoming_;
  if (held >= recv_window_) return;
  auto delta = static_cast<std::uint32_t>(recv_window_ - held);
  if (delta < recv_window_ / 2) return;
  auto now = clock::now();
  auto rtt = session_->rtt_;
  auto max = session_->config_.max_stream_window;
  bool fast = reader_waiting || (rtt && now - window_epoch_ < 4 * *rtt);
  if (fast && recv_window_ < max) {
    auto grow = std::min(recv_window_, max - recv_window_);
    if (session_->try_reserve(grow)) {
      recv_window_ += grow;
      delta += grow;
    }
  }
  window_epoch_ = now;
  recv_credit_ += delta;
  session_->send_control({frame_type::window_update, 0, id_, delta});
}

// ---- writing -------------------------------------------------------------

awaitable<result<void>> stream::write(byte_span data) {
  if (writing_) co_return make_error(errc::invalid_argument, "yamux: concurrent writes on one stream");
  writing_ = true;
  struct clear_flag {
    bool& f;
    ~clear_flag() { f = false; }
  } guard{writing_};
  const std::size_t per_request = std::size_t{session_->config_.max_frame_size} * write_request::max_frames;
  while (!data.empty()) {
    for (;;) {
      if (reset_) co_return reset_error();
      if (local_fin_)
        co_return make_error(errc::closed, "yamux: write after close_write on stream " + std::to_string(id_));
      if (failure_) co_return *failure_;
      if (send_credit_ > 0) break;
      // Backpressure: the peer's reader has not made room yet.
      bool woke = co_await write_wake_.wait();
      if (!woke) co_return make_error(errc::cancelled, "yamux: write cancelled");
    }
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>({data.size(), send_credit_, per_request}));
    result<void> sent;
    if (session_->can_write_directly()) {
      // Straight to the channel, here (see session::prepare_direct).
      send_credit_ -= n;
      session::direct_write frames;
      auto parts = session_->prepare_direct(frames, id_, data.first(n));
      bool cancelled = false;
      note_cancellation filter;
      filter.seen = &cancelled;
      co_await asio::this_coro::reset_cancellation_state(filter);
      auto outcome = co_await session_->channel_->write_v(parts);
      co_await asio::this_coro::reset_cancellation_state();
      sent = session_->finish_direct(std::move(outcome), cancelled);
    } else {
      sent = co_await send_frames(data.first(n));
    }
    AP_CO_TRYV(sent);
    data = data.subspan(n);
  }
  co_return ok();
}

awaitable<result<void>> stream::send_frames(byte_span chunk) {
  write_request req(session_->executor_);
  req.frame_size = session_->config_.max_frame_size;
  req.payload = chunk;
  req.frames = (chunk.size() + req.frame_size - 1) / req.frame_size;
  for (std::size_t i = 0; i < req.frames; ++i) {
    auto len = std::min(req.frame_size, chunk.size() - i * req.frame_size);
    req.headers[i] = encode({frame_type::data, 0, id_, static_cast<std::uint32_t>(len)});
  }
  send_credit_ -= chunk.size();
  pending_ = &req;
  // If this coroutine is torn down (its caller cancelled) before the writer
  // took the request, take it back, with its window.
  struct take_back {
    stream& s;
    write_request& r;
    ~take_back() {
      s.pending_ = nullptr;
      if (r.st == write_request::state::queued) {
        s.session_->withdraw(r, make_error(errc::cancelled, "yamux: write cancelled"));
        s.send_credit_ += r.payload.size();
      }
    }
  } guard{*this, req};
  co_return co_await session_->submit(req);
}

awaitable<result<void>> stream::write_v(std::span<const byte_span> parts) {
  std::size_t total = 0;
  for (auto p : parts) total += p.size();
  if (parts.size() > 1 && total <= join_limit) {
    std::array<std::uint8_t, join_limit> joined;
    std::size_t at = 0;
    for (auto p : parts) {
      if (!p.empty()) std::memcpy(joined.data() + at, p.data(), p.size());
      at += p.size();
    }
    co_return co_await write(byte_span(joined.data(), total));
  }
  for (auto p : parts)
    if (!p.empty()) AP_CO_TRYV(co_await write(p));
  co_return ok();
}

awaitable<result<void>> stream::close_write() {
  if (reset_) co_return reset_error();
  if (local_fin_) co_return ok();
  if (failure_) co_return *failure_;
  // FIN travels as a control frame, which overtakes queued data frames.
  if (writing_) co_return make_error(errc::invalid_argument, "yamux: close_write during a write");
  local_fin_ = true;
  session_->send_control({frame_type::window_update, flag::fin, id_, 0});
  if (remote_fin_) session_->forget(*this);
  co_return ok();
}

void stream::reset() {
  if (reset_) return;
  reset_ = true;
  if (incoming_ == 0) buffer_.clear();  // else end_receive() clears it
  if (pending_) session_->withdraw(*pending_, reset_error());
  if (in_table_) {
    session_->send_control({frame_type::window_update, flag::rst, id_, 0});
    session_->forget(*this);
  }
  read_wake_.notify();
  write_wake_.notify();
}

// ---- fed by the read loop ------------------------------------------------

result<void> stream::take_credit(std::uint32_t n) {
  if (n > recv_credit_)
    return make_error(errc::protocol_error, "yamux: peer sent " + std::to_string(n) + " bytes on stream " +
                                                std::to_string(id_) + " with only " + std::to_string(recv_credit_) +
                                                " bytes of window left");
  recv_credit_ -= n;
  return ok();
}

mutable_byte_span stream::begin_receive(std::uint32_t n) {
  incoming_ = n;
  return buffer_.prepare(n);
}

void stream::end_receive(bool ok) {
  auto n = incoming_;
  incoming_ = 0;
  if (!ok || reset_) {
    buffer_.prepare(0);  // drop the unfinished space
    if (reset_) buffer_.clear();
    return;
  }
  buffer_.commit(n);
  // The read loop calls this between frames: the waiting reader runs now,
  // without a trip through the event loop.
  read_wake_.notify_now();
}

mutable_byte_span stream::begin_direct_receive(std::uint32_t n) {
  incoming_ = n;
  direct_incoming_ = true;
  return reader_buf_.first(n);
}

void stream::end_direct_receive(bool ok) {
  auto n = incoming_;
  incoming_ = 0;
  direct_incoming_ = false;
  if (ok && !reset_) {
    direct_got_ = n;
    reader_buf_ = {};  // one payload per wake-up
    after_consume(true);
  }
  read_wake_.notify_now();
}

void stream::on_window_update(std::uint32_t delta) {
  if (delta == 0) return;
  // Saturate: a peer granting absurd windows only wastes its own memory.
  send_credit_ = std::min<std::uint64_t>(send_credit_ + delta, std::numeric_limits<std::uint32_t>::max());
  write_wake_.notify();
}

void stream::on_flags(std::uint16_t flags) {
  if ((flags & flag::ack) && outbound_ && !acked_) {
    acked_ = true;
    --session_->pending_outbound_;
    session_->ack_wake_.notify();
  }
  if (flags & flag::rst) {
    if (reset_) return;
    reset_ = true;
    reset_by_peer_ = true;
    if (incoming_ == 0) buffer_.clear();
    if (pending_) session_->withdraw(*pending_, reset_error());
    session_->forget(*this);
    read_wake_.notify();
    write_wake_.notify();
    return;
  }
  if ((flags & flag::fin) && !remote_fin_) {
    remote_fin_ = true;
    read_wake_.notify();
    if (local_fin_) session_->forget(*this);
  }
}

void stream::fail(const error& e) {
  if (!failure_) failure_ = e;
  in_table_ = false;
  if (pending_) session_->withdraw(*pending_, e);
  read_wake_.notify();
  write_wake_.notify();
}

}  // namespace agentp2p::yamux
