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
#include "tests/fuzz/memory_stream.hpp"

namespace {

using namespace agentp2p;

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
  auto channel = std::make_unique<fuzzing::memory_stream>(ctx.get_executor(), byte_span(data + 1, size - 1), chunk);
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

