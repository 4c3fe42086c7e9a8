// libFuzzer entry for Yamux: frame headers, then a whole session reading
// attacker-chosen bytes from an in-memory channel. Built as fuzz_yamux_frame
// by tests/fuzz; seeds in tests/fuzz/corpus/yamux_frame.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/session.hpp"

namespace {

using namespace agentp2p;

// Serves the input in small reads (yielding between them so the session's
// coroutines interleave as they would on a socket) and swallows writes.
class memory_stream final : public core::byte_stream {
 public:
  memory_stream(executor ex, byte_span input, std::size_t chunk) : ex_(std::move(ex)), input_(input), chunk_(chunk) {}

  executor get_executor() const override { return ex_; }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    co_await asio::post(ex_, asio::use_awaitable);
    if (reset_) co_return make_error(errc::reset, "memory: reset");
    if (at_ == input_.size()) co_return make_error(errc::end_of_stream, "memory: end of input");
    auto n = std::min({buf.size(), input_.size() - at_, chunk_});
    std::memcpy(buf.data(), input_.data() + at_, n);
    at_ += n;
    co_return n;
  }

  awaitable<result<void>> write(byte_span) override {
    if (reset_) co_return make_error(errc::reset, "memory: reset");
    co_return ok();
  }

  awaitable<result<void>> close_write() override { co_return ok(); }
  void reset() override { reset_ = true; }

 private:
  executor ex_;
  byte_span input_;
  std::size_t chunk_;
  std::size_t at_ = 0;
  bool reset_ = false;
};

// What an application does with inbound streams: read, echo some, and
// sometimes reset or half-close.
awaitable<void> use(std::shared_ptr<core::muxed_stream> s) {
  std::uint8_t buf[1000];
  for (int round = 0;; ++round) {
    auto n = co_await s->read_some(buf);
    if (!n) break;
    if (buf[0] == 0xff) {
      s->reset();
      co_return;
    }
    auto w = co_await s->write(byte_span(buf, *n));
    if (!w) break;
    if (round == 3) (void)co_await s->close_write();
  }
}

awaitable<void> open_and_use(std::shared_ptr<yamux::session> s) {
  auto o = co_await s->open_stream();
  if (o) co_await use(*o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The codec: whatever decodes must re-encode to the same header.
  for (std::size_t i = 0; i + yamux::header_size <= size; i += yamux::header_size) {
    auto h = yamux::decode(byte_span(data + i, yamux::header_size));
    if (h && yamux::decode(yamux::encode(*h)).value() != *h) __builtin_trap();
  }
  if (size < 2) return 0;

  // A session: byte 0 picks the role and the read size, the rest is wire input.
  asio::io_context ctx;
  yamux::config cfg;
  cfg.keepalive_interval = {};
  cfg.max_streams = 8;
  cfg.max_pending_outbound = 2;
  cfg.max_connection_buffer = 4 * 256 * 1024;
  bool initiator = data[0] & 1;
  std::size_t chunk = 1 + (data[0] >> 1);
  auto channel = std::make_unique<memory_stream>(ctx.get_executor(), byte_span(data + 1, size - 1), chunk);
  auto s = std::make_shared<yamux::session>(std::move(channel), initiator, cfg);
  auto ex = ctx.get_executor();
  s->set_inbound_handler([ex](std::shared_ptr<core::muxed_stream> st) {
    asio::co_spawn(ex, use(std::move(st)), asio::detached);
  });
  asio::co_spawn(ctx, s->run(), asio::detached);
  // One outbound stream too, so ACK/RST/data for our own ids have a target.
  asio::co_spawn(ctx, open_and_use(s), asio::detached);
  s.reset();
  ctx.run();
  return 0;
}

