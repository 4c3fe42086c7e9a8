#include "agentp2p/muxer/yamux/session.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "agentp2p/base/counters.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/muxer/yamux/stream.hpp"

namespace agentp2p::yamux {

namespace {

using clock = std::chrono::steady_clock;

// Input buffer: many small frames per read_some(); payloads of half of it or
// more are read straight into the stream's buffer. Small, because an idle
// connection keeps it: a full-size frame is decrypted in place by Noise and
// its payload copied once into the stream's buffer either way.
constexpr std::size_t read_buffer_size = 512;

// Free 64 KiB receive blocks a connection keeps for reuse (at most 256 KiB).
constexpr std::size_t pooled_blocks = 4;

// One write_v() carries at most this much, so that one busy stream cannot
// hold the channel for long and control frames wait at most one batch.
constexpr std::size_t batch_control_frames = 64;
constexpr std::size_t batch_requests = 8;
constexpr std::size_t batch_bytes = 256 * 1024;

// Control frames the peer makes us queue (Ping answers, refusals). A peer
// that floods them faster than it reads our side gets its pongs dropped
// beyond the soft limit and the connection ended beyond the hard one.
constexpr std::size_t control_soft_limit = 1024;
constexpr std::size_t control_hard_limit = 16 * 1024;

std::string id_text(std::uint32_t id) { return std::to_string(id); }

}  // namespace

session::session(std::unique_ptr<core::byte_stream> channel, bool is_initiator, const config& cfg)
    : executor_(channel->get_executor()),
      channel_(std::move(channel)),
      reader_(*channel_, read_buffer_size),
      config_(cfg),
      pool_(pooled_blocks),
      initiator_(is_initiator),
      next_id_(is_initiator ? 1 : 2),
      writer_wake_(executor_),
      stop_wake_(executor_),
      ack_wake_(executor_),
      ping_wake_(executor_),
      writer_done_wake_(executor_),
      finished_wake_(executor_) {}

session::~session() { release(committed_); }

void session::set_inbound_handler(inbound_handler h) { handler_ = std::move(h); }

bool session::is_closed() const {
  return phase_ == phase::ending || phase_ == phase::finished || stop_reason_.has_value() || local_go_away_;
}

bool session::accepting() const {
  return (phase_ == phase::idle || phase_ == phase::running) && !stop_reason_ && !local_go_away_;
}

error session::closed_error() const {
  if (stop_reason_ && stop_reason_->is(errc::closed)) return make_error(errc::closed, "yamux: connection closed");
  return make_error(errc::reset, "yamux: connection lost" + (stop_reason_ ? ": " + stop_reason_->message : ""));
}

// ---- run -----------------------------------------------------------------

awaitable<result<void>> session::run() {
  using namespace asio::experimental::awaitable_operators;
  if (phase_ != phase::idle) co_return make_error(errc::invalid_argument, "yamux: run() may be called only once");
  auto self = shared_from_this();  // the owner may drop its reference while we run
  phase_ = phase::running;
  // The writer is its own coroutine, owned by this one: run() returns only
  // after it has finished (writer_done_). (Spawned rather than joined with
  // &&: a parallel group and its two operand threads cost about 1 kB more
  // per connection, idle or not.)
  asio::co_spawn(executor_, writer_loop(), [self](std::exception_ptr e) {
    if (!e) return;
    self->writer_done_ = true;
    self->request_stop(make_error(errc::io_error, "yamux: writer failed"));
    self->writer_done_wake_.notify();
  });
  auto reason = co_await reader_side();
  // reader_side() aborted the channel if the writer would not finish, so
  // this wait is short; the channel must outlive the writer's last write.
  while (!writer_done_) co_await writer_done_wake_.wait_uninterruptible();
  co_await linger();
  channel_.reset();
  phase_ = phase::finished;
  finished_wake_.notify();
  co_return reason;
}

awaitable<result<void>> session::reader_side() {
  using namespace asio::experimental::awaitable_operators;
  // keepalive_loop() also ends (with the reason) when a stop is requested,
  // which makes || cancel the read loop; one coroutine fewer per connection
  // than a separate watcher.
  auto first = co_await (read_loop() || keepalive_loop());
  auto ended = std::visit([](auto& r) -> result<void> { return std::move(r); }, first);
  error reason = ended ? make_error(errc::io_error, "yamux: read loop ended without a reason") : std::move(ended).error();
  end(reason);
  auto flushed = co_await with_deadline(wait_writer_done(), config_.close_timeout, "yamux: flushing the connection");
  // A peer that does not read cannot hold us: aborting the channel fails the
  // writer's pending write, and the writer ends.
  if (!flushed && channel_) channel_->reset();
  co_return reason;
}

// Stops the connection; the first reason wins.
void session::request_stop(error e) {
  if (stop_reason_) return;
  stop_reason_ = std::move(e);
  stop_wake_.notify();
  ping_wake_.notify();
  if (keepalive_timer_) keepalive_timer_->cancel();
}

awaitable<result<void>> session::watch_stop() {
  while (!stop_reason_) {
    bool woke = co_await stop_wake_.wait();
    if (!woke) co_return make_error(errc::cancelled, "yamux: cancelled");
  }
  co_return *stop_reason_;
}

// The connection is over: fail the streams, release the handler, let the
// writer flush what is queued (GoAway) and finish.
void session::end(const error& reason) {
  phase_ = phase::ending;
  if (!stop_reason_) stop_reason_ = reason;
  if (reason.is(errc::protocol_error)) send_go_away(go_away_code::protocol_error);
  else if (reason.is(errc::limit_exceeded)) send_go_away(go_away_code::internal_error);

  auto for_streams = closed_error();
  auto table = std::move(streams_);
  streams_.clear();
  for (auto& [id, s] : table) s->fail(for_streams);
  while (!data_.empty()) withdraw(*data_.front(), for_streams);
  release(committed_);
  pending_outbound_ = 0;
  handler_ = nullptr;

  writer_stop_ = true;
  writer_wake_.notify();
  ack_wake_.notify();
  ping_wake_.notify();
}

// After a clean end, half-close and read until the peer closes too (bounded):
// closing a socket with unread input makes the kernel send RST, which can
// destroy our GoAway before the peer has read it.
awaitable<void> session::linger() {
  if (!channel_) co_return;
  bool clean = stop_reason_ && (stop_reason_->is(errc::closed) || stop_reason_->is(errc::end_of_stream) ||
                                stop_reason_->is(errc::protocol_error));
  if (!clean) {
    channel_->reset();
    co_return;
  }
  auto done = co_await with_deadline(drain_input(), config_.close_timeout, "yamux: closing");
  if (!done && done.error().is(errc::timeout)) channel_->reset();
}

awaitable<result<void>> session::drain_input() {
  AP_CO_TRYV(co_await channel_->close_write());
  std::array<std::uint8_t, 4096> sink;
  for (;;) AP_CO_TRYV(co_await channel_->read_some(sink));
}

// ---- reading -------------------------------------------------------------

awaitable<result<void>> session::read_loop() {
  header_bytes raw{};
  for (;;) {
    // Headers come from the input buffer, refilled straight from the
    // channel here (no reader coroutine per frame).
    while (!reader_.try_read(raw)) {
      const bool partial = reader_.available() > 0;
      auto got = co_await channel_->read_some(reader_.space());
      if (!got) {
        if (!got.error().is(errc::end_of_stream)) co_return std::move(got).error();
        if (partial) co_return make_error(errc::decode_error, "yamux: connection ended inside a frame header");
        co_return make_error(errc::end_of_stream, "yamux: connection closed by peer");
      }
      reader_.commit(*got);
    }
    AP_CO_TRY(auto h, decode(raw));
    result<void> handled;
    switch (h.type) {
      case frame_type::data:
      case frame_type::window_update: {
        // Most frames need no waiting (their payload, if any, is buffered):
        // handled without a coroutine frame.
        if (auto now = stream_frame_now(h)) handled = std::move(*now);
        else handled = co_await on_stream_frame(h);
        break;
      }
      case frame_type::ping: handled = on_ping(h); break;
      case frame_type::go_away: handled = on_go_away(h); break;
    }
    if (!handled) co_return handled;
  }
}

// The stream a Data or WindowUpdate frame is for: accepted now (SYN), found,
// or none (refused, or unknown: its frame is dropped).
result<session::frame_target> session::target_of(const header& h) {
  if (h.stream_id == 0) return make_error(errc::protocol_error, "yamux: " + describe(h) + " addresses stream 0");
  frame_target t;
  if (h.has(flag::syn)) {
    AP_TRY(t.s, accept_stream(h));
    t.accepted = t.s != nullptr;
    return t;
  }
  auto it = streams_.find(h.stream_id);
  // Unknown: most likely a stream we reset or finished, whose last frames
  // were already in flight; drop them quietly (as go-yamux does).
  if (it != streams_.end()) t.s = it->second->shared_from_this();
  return t;
}

void session::finish_frame(const frame_target& t, const header& h) {
  t.s->on_flags(h.flags);
  if (t.accepted && handler_) handler_(t.s);
}

std::optional<result<void>> session::stream_frame_now(const header& h) {
  if (h.type == frame_type::data && h.length > reader_.available()) return std::nullopt;  // must wait: slow path
  auto t = target_of(h);
  if (!t) return std::move(t).error();
  if (!t->s) {
    if (h.type != frame_type::data || h.length == 0) return ok();
    if (h.length > config_.max_stream_window)
      return make_error(errc::protocol_error, "yamux: " + describe(h) + " exceeds any window we grant");
    reader_.drop(h.length);
    return ok();
  }
  stream& s = *t->s;
  if (h.type == frame_type::window_update) {
    s.on_window_update(h.length);
  } else {
    if (auto credit = s.take_credit(h.length); !credit) return credit;
    if (h.length > 0) {
      if (!s.accepts_data()) {
        reader_.drop(h.length);
      } else if (s.can_receive_directly(h.length)) {
        reader_.try_read(s.begin_direct_receive(h.length));
        s.end_direct_receive(true);
      } else {
        reader_.try_read(s.begin_receive(h.length));
        s.end_receive(true);
      }
    }
  }
  finish_frame(*t, h);
  return ok();
}

awaitable<result<void>> session::on_stream_frame(const header& h) {
  // The stream is kept alive (t.s) while we read into it.
  AP_CO_TRY(auto t, target_of(h));
  if (!t.s) co_return co_await discard(h);
  if (h.type == frame_type::window_update) t.s->on_window_update(h.length);
  else AP_CO_TRYV(co_await receive_data(*t.s, h));
  finish_frame(t, h);
  co_return ok();
}

result<std::shared_ptr<stream>> session::accept_stream(const header& h) {
  auto id = h.stream_id;
  bool theirs = initiator_ ? id % 2 == 0 : id % 2 == 1;
  if (!theirs)
    return make_error(errc::protocol_error, "yamux: peer opened stream " + id_text(id) + ", an id of our side " +
                                                "(odd ids belong to the initiator)");
  if (streams_.contains(id))
    return make_error(errc::protocol_error, "yamux: duplicate SYN for open stream " + id_text(id));
  const bool too_many = streams_.size() >= config_.max_streams;
  bool refuse = !accepting() || !handler_ || too_many || !try_reserve(config_.initial_stream_window);
  if (refuse) {
    if (too_many) {
      static auto& c = counters::limit("yamux", "streams_per_connection",
                                       "inbound streams refused: the connection has max_streams open");
      counters::count_and_log(c, "yamux: refusing an inbound stream: " + std::to_string(streams_.size()) +
                                     " streams open on this connection (limit " + std::to_string(config_.max_streams) + ")");
    } else if (accepting() && handler_) {
      static auto& c = counters::limit("yamux", "receive_buffer",
                                       "inbound streams refused: the connection's or the node's receive buffer budget is taken");
      counters::count_and_log(c, "yamux: refusing an inbound stream: receive buffer budget taken (" +
                                     std::to_string(committed_) + " bytes on this connection, " +
                                     std::to_string(config_.node_budget ? config_.node_budget->used() : 0) +
                                     " on the node)");
    }
    AP_TRYV(send_refusal(id));
    return std::shared_ptr<stream>{};
  }
  auto s = std::make_shared<stream>(shared_from_this(), id, false);
  streams_.emplace(id, s.get());
  // ACK at once so the opener learns the stream is accepted before any data.
  send_control({frame_type::window_update, flag::ack, id, config_.initial_stream_window - default_window});
  return s;
}

result<void> session::send_refusal(std::uint32_t id) {
  if (control_.size() >= control_hard_limit)
    return make_error(errc::limit_exceeded, "yamux: peer keeps opening streams while not reading our refusals");
  send_control({frame_type::window_update, flag::rst, id, 0});
  return ok();
}

awaitable<result<void>> session::receive_data(stream& s, const header& h) {
  AP_CO_TRYV(s.take_credit(h.length));
  if (h.length == 0) co_return ok();
  if (!s.accepts_data()) co_return co_await reader_.skip(h.length);
  if (s.can_receive_directly(h.length)) {
    auto target = s.begin_direct_receive(h.length);
    auto got = co_await reader_.read_exact(target);
    s.end_direct_receive(got.has_value());
    co_return got;
  }
  auto space = s.begin_receive(h.length);
  auto got = co_await reader_.read_exact(space);
  s.end_receive(got.has_value());
  co_return got;
}

awaitable<result<void>> session::discard(const header& h) {
  if (h.type != frame_type::data || h.length == 0) co_return ok();
  // No stream of ours ever had a larger window, so this is not a late frame.
  if (h.length > config_.max_stream_window)
    co_return make_error(errc::protocol_error, "yamux: " + describe(h) + " exceeds any window we grant");
  co_return co_await reader_.skip(h.length);
}

result<void> session::on_ping(const header& h) {
  if (h.has(flag::syn)) {
    if (control_.size() < control_soft_limit) send_control({frame_type::ping, flag::ack, 0, h.length});
    return ok();
  }
  if (h.has(flag::ack) && h.length == ping_id_ && pong_id_ != ping_id_) {
    auto sample = clock::now() - ping_sent_;
    rtt_ = rtt_ ? (*rtt_ + sample) / 2 : sample;
    pong_id_ = h.length;
    ping_wake_.notify();
  }
  return ok();
}

result<void> session::on_go_away(const header& h) {
  remote_go_away_ = true;
  ack_wake_.notify();  // waiting open_stream() calls fail now
  switch (static_cast<go_away_code>(h.length)) {
    case go_away_code::normal: return ok();  // existing streams carry on
    case go_away_code::protocol_error:
      return make_error(errc::reset, "yamux: peer ended the connection with GoAway(protocol error)");
    case go_away_code::internal_error:
      return make_error(errc::reset, "yamux: peer ended the connection with GoAway(internal error)");
  }
  return make_error(errc::reset, "yamux: peer ended the connection with GoAway(" + std::to_string(h.length) + ")");
}

// ---- keep-alive ----------------------------------------------------------

// Pings every keepalive_interval; returns the stop reason as soon as a stop
// is requested (request_stop() cancels the timer and wakes wait_pong()).
awaitable<result<void>> session::keepalive_loop() {
  asio::steady_timer timer(executor_);
  keepalive_timer_ = &timer;
  struct forget_timer {
    asio::steady_timer*& t;
    ~forget_timer() { t = nullptr; }
  } guard{keepalive_timer_};
  for (;;) {
    if (stop_reason_) co_return *stop_reason_;
    if (++ping_id_ == 0) ++ping_id_;
    ping_sent_ = clock::now();
    send_control({frame_type::ping, flag::syn, 0, ping_id_});
    auto answered = co_await with_deadline(wait_pong(ping_id_), config_.keepalive_timeout, "yamux: keep-alive ping");
    if (stop_reason_) co_return *stop_reason_;
    // With keep-alive off, that first ping only measured the RTT.
    if (config_.keepalive_interval <= duration::zero()) co_return co_await watch_stop();
    if (!answered) co_return std::move(answered).error();
    timer.expires_after(config_.keepalive_interval);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stop_reason_) co_return *stop_reason_;
    if (ec) co_return make_error(errc::cancelled, "yamux: keep-alive cancelled");
  }
}

awaitable<result<void>> session::wait_pong(std::uint32_t id) {
  while (pong_id_ != id) {
    if (stop_reason_) co_return *stop_reason_;
    bool woke = co_await ping_wake_.wait();
    if (!woke) co_return make_error(errc::cancelled, "yamux: ping cancelled");
    if (phase_ == phase::ending || phase_ == phase::finished) co_return closed_error();
  }
  co_return ok();
}

// ---- writing -------------------------------------------------------------

void session::send_control(const header& h) {
  if (writer_done_) return;
  control_.push_back(encode(h));
  writer_wake_.notify();
}

void session::send_go_away(go_away_code code) {
  if (local_go_away_) return;
  local_go_away_ = true;
  send_control({frame_type::go_away, 0, 0, static_cast<std::uint32_t>(code)});
}

awaitable<result<void>> session::submit(write_request& req) {
  if (writer_stop_ || writer_done_) co_return closed_error();
  req.st = write_request::state::queued;
  data_.push_back(&req);
  writer_wake_.notify();
  // Not cancellable: once the writer has the request it sends from the
  // caller's buffer. (A cancelled caller withdraws a still-queued request,
  // see stream::send_frames.)
  while (req.st != write_request::state::done) co_await req.done_wake.wait_uninterruptible();
  co_return std::move(req.outcome);
}

void session::withdraw(write_request& req, error e) {
  if (req.st != write_request::state::queued) return;
  auto it = std::find(data_.begin(), data_.end(), &req);
  if (it != data_.end()) data_.erase(it);
  req.st = write_request::state::done;
  req.outcome = std::move(e);
  req.done_wake.notify();
}

// The only coroutine that writes to the channel, so at most one write is
// ever outstanding. Control frames go first: a Ping answer or WindowUpdate
// must not wait behind megabytes of data.
awaitable<void> session::writer_loop() {
  std::vector<header_bytes> control;
  std::vector<write_request*> batch;
  std::vector<byte_span> parts;
  result<void> outcome;
  for (;;) {
    bool idle = control_.empty() && data_.empty();
    // A stream writing directly holds the channel; it wakes us when done.
    if (idle && writer_stop_ && !channel_busy_) break;
    if (idle || channel_busy_) {
      if (idle && control.capacity() > 0) {
        // Going idle: an idle connection keeps none of the batch storage.
        std::vector<header_bytes>().swap(control);
        std::vector<write_request*>().swap(batch);
        std::vector<byte_span>().swap(parts);
      }
      bool woke = co_await writer_wake_.wait();
      if (!woke) {
        outcome = make_error(errc::cancelled, "yamux: writer cancelled");
        break;
      }
      continue;
    }
    // parts point into `control`: reserve once, no reallocation (and no
    // memory on connections that never queue).
    if (control.capacity() == 0) control.reserve(batch_control_frames);
    control.clear();
    batch.clear();
    parts.clear();
    while (!control_.empty() && control.size() < batch_control_frames) {
      control.push_back(control_.front());
      control_.pop_front();
    }
    for (auto& c : control) parts.emplace_back(c.data(), c.size());
    std::size_t bytes = 0;
    while (!data_.empty() && batch.size() < batch_requests && bytes < batch_bytes) {
      auto* req = data_.front();
      data_.pop_front();
      req->st = write_request::state::in_flight;
      batch.push_back(req);
      bytes += req->payload.size();
      for (std::size_t i = 0; i < req->frames; ++i) {
        auto offset = i * req->frame_size;
        parts.emplace_back(req->headers[i].data(), header_size);
        parts.push_back(req->payload.subspan(offset, std::min(req->frame_size, req->payload.size() - offset)));
      }
    }
    channel_busy_ = true;
    outcome = co_await channel_->write_v(parts);
    channel_busy_ = false;
    for (auto* req : batch) {
      req->st = write_request::state::done;
      req->outcome = outcome;
      req->done_wake.notify();
    }
    if (!outcome) break;
  }
  writer_done_ = true;
  auto left = outcome ? closed_error() : outcome.error();
  while (!data_.empty()) withdraw(*data_.front(), left);
  control_.clear();
  if (!outcome) request_stop(outcome.error());
  writer_done_wake_.notify();
}

// A stream's frames straight to the channel from the stream's own
// coroutine (stream::write awaits the channel between these two): no
// hand-off to the writer and back (two trips through the event loop), and
// no coroutine frame of its own. Only when can_write_directly(): nothing
// queued may be overtaken.
std::span<const byte_span> session::prepare_direct(direct_write& w, std::uint32_t id, byte_span chunk) {
  const std::size_t frame = config_.max_frame_size;
  std::size_t count = 0;
  for (std::size_t offset = 0; offset < chunk.size(); offset += frame) {
    auto len = std::min(frame, chunk.size() - offset);
    w.headers[count] = encode({frame_type::data, 0, id, static_cast<std::uint32_t>(len)});
    w.parts[2 * count] = byte_span(w.headers[count].data(), header_size);
    w.parts[2 * count + 1] = chunk.subspan(offset, len);
    ++count;
  }
  channel_busy_ = true;
  return std::span<const byte_span>(w.parts.data(), 2 * count);
}

result<void> session::finish_direct(result<void> outcome, bool cancelled) {
  channel_busy_ = false;
  if (!control_.empty() || !data_.empty() || writer_stop_) writer_wake_.notify();
  if (!outcome) {
    request_stop(outcome.error());
    return outcome;
  }
  if (cancelled) return make_error(errc::cancelled, "yamux: write cancelled (its data was sent)");
  return ok();
}

awaitable<result<void>> session::wait_writer_done() {
  while (!writer_done_) {
    bool woke = co_await writer_done_wake_.wait();
    if (!woke) co_return make_error(errc::cancelled, "yamux: cancelled");
  }
  co_return ok();
}

// ---- streams -------------------------------------------------------------

awaitable<result<std::shared_ptr<core::muxed_stream>>> session::open_stream() {
  for (;;) {
    if (!accepting()) co_return make_error(errc::closed, "yamux: connection is closed");
    if (remote_go_away_) co_return make_error(errc::closed, "yamux: peer sent GoAway and accepts no new streams");
    if (streams_.size() >= config_.max_streams)
      co_return make_error(errc::limit_exceeded,
                           "yamux: limit of " + std::to_string(config_.max_streams) + " open streams reached");
    if (committed_ + config_.initial_stream_window > config_.max_connection_buffer)
      co_return make_error(errc::limit_exceeded, "yamux: connection receive buffer budget (max_connection_buffer) "
                                                 "is taken by other streams");
    if (config_.node_budget && config_.node_budget->used() + config_.initial_stream_window > config_.node_budget->limit())
      co_return make_error(errc::limit_exceeded, "yamux: the node's receive buffer budget (max_node_buffer) "
                                                 "is taken by other streams");
    if (pending_outbound_ < config_.max_pending_outbound) break;
    bool woke = co_await ack_wake_.wait();
    if (!woke) co_return make_error(errc::cancelled, "yamux: open_stream cancelled");
  }
  if (next_id_ > std::numeric_limits<std::uint32_t>::max())
    co_return make_error(errc::limit_exceeded, "yamux: stream ids exhausted on this connection");
  auto id = static_cast<std::uint32_t>(next_id_);
  if (!try_reserve(config_.initial_stream_window))
    co_return make_error(errc::limit_exceeded, "yamux: receive buffer budget taken by other streams");
  next_id_ += 2;
  ++pending_outbound_;
  auto s = std::make_shared<stream>(shared_from_this(), id, true);
  streams_.emplace(id, s.get());
  // SYN now, so the peer learns of the stream without waiting for our data.
  send_control({frame_type::window_update, flag::syn, id, config_.initial_stream_window - default_window});
  co_return std::shared_ptr<core::muxed_stream>(std::move(s));
}

void session::forget(stream& s) {
  if (!s.in_table_) return;
  s.in_table_ = false;
  auto it = streams_.find(s.id_);
  if (it != streams_.end() && it->second == &s) streams_.erase(it);
  // No stream left to receive into: the pooled blocks go back to the heap.
  if (streams_.empty()) pool_.clear();
  release(std::min<std::size_t>(committed_, s.recv_window_));
  if (s.outbound_ && !s.acked_) {
    s.acked_ = true;
    --pending_outbound_;
    ack_wake_.notify();
  }
}

bool session::try_reserve(std::size_t n) {
  if (committed_ + n > config_.max_connection_buffer) return false;
  if (config_.node_budget && !config_.node_budget->try_take(n)) return false;
  committed_ += n;
  return true;
}

void session::release(std::size_t n) {
  n = std::min(n, committed_);
  committed_ -= n;
  if (config_.node_budget) config_.node_budget->give_back(n);
}

// ---- close ---------------------------------------------------------------

awaitable<void> session::close() {
  auto self = shared_from_this();
  if (phase_ == phase::finished) co_return;
  if (phase_ == phase::idle) {
    // run() never started, so the channel is ours alone: say GoAway directly.
    stop_reason_ = make_error(errc::closed, "yamux: connection closed locally");
    end(*stop_reason_);
    writer_done_ = true;
    auto bye = encode({frame_type::go_away, 0, 0, static_cast<std::uint32_t>(go_away_code::normal)});
    (void)co_await with_deadline(channel_->write(bye), config_.close_timeout, "yamux: GoAway");
    (void)co_await with_deadline(channel_->close_write(), config_.close_timeout, "yamux: close");
    channel_.reset();
    phase_ = phase::finished;
    finished_wake_.notify();
    co_return;
  }
  send_go_away(go_away_code::normal);
  request_stop(make_error(errc::closed, "yamux: connection closed locally"));
  while (phase_ != phase::finished) {
    bool woke = co_await finished_wake_.wait();
    if (!woke) co_return;
  }
}

}  // namespace agentp2p::yamux
