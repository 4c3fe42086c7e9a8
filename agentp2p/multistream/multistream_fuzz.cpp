// libFuzzer entry for multistream-select: the message codec, and a whole
// negotiation against attacker-chosen bytes on an in-memory stream, as
// responder (proposals, "ls") and as initiator (the responder's answers).
// Built as fuzz_multistream by tests/fuzz; seeds in tests/fuzz/corpus/multistream.
// Byte 0: bit 0 picks the role, bits 1-3 the read size; the rest is the peer's bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/multistream/multistream.hpp"
#include "tests/fuzz/memory_stream.hpp"

using namespace agentp2p;

namespace {

const std::vector<std::string>& ours() {
  static const std::vector<std::string> p = {"/noise", "/yamux/1.0.0", "/ipfs/id/1.0.0"};
  return p;
}

bool supported(std::string_view p) { return std::find(ours().begin(), ours().end(), p) != ours().end(); }

multistream::config small_limits() {
  multistream::config cfg;
  cfg.max_message_size = 256;
  cfg.max_rejections = 8;
  return cfg;
}

awaitable<void> respond(fuzzing::memory_stream& s) {
  auto r = co_await multistream::handle(s, supported, ours, small_limits());
  if (r && !supported(*r)) std::abort();  // accepted something we never said we support
}

awaitable<void> initiate(fuzzing::memory_stream& s) {
  auto r = co_await multistream::select(s, ours(), small_limits());
  if (r && !supported(*r)) std::abort();  // "selected" a protocol we did not propose
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const byte_span in(data + 1, size - 1);

  // The codec: a message that parses re-encodes to its payload.
  if (auto m = multistream::parse_message(in)) {
    bytes framed;
    multistream::append_message(framed, *m);
    if (framed.size() < in.size() || !std::equal(in.begin(), in.end(), framed.end() - in.size())) std::abort();
  }

  asio::io_context ctx;
  fuzzing::memory_stream s(ctx.get_executor(), in, 1 + ((data[0] >> 1) & 7) * 3);
  if (data[0] & 1) asio::co_spawn(ctx, respond(s), asio::detached);
  else asio::co_spawn(ctx, initiate(s), asio::detached);
  ctx.run();
  // Reads stop at the end of the input (never past it) and writes stay bounded.
  if (s.consumed() > in.size()) std::abort();
  return 0;
}
