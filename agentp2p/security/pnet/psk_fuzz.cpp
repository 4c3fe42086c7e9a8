// libFuzzer entry for private networks: the swarm key file parser (a config
// input: base16, base64 and bin encodings), and the protected stream reading
// a peer's nonce and data from attacker-chosen bytes.
// Built as fuzz_pnet by tests/fuzz; seeds in tests/fuzz/corpus/pnet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/security/pnet/pnet.hpp"
#include "agentp2p/security/pnet/psk.hpp"
#include "tests/fuzz/memory_stream.hpp"

namespace {

using namespace agentp2p;

awaitable<void> read_protected(std::unique_ptr<core::byte_stream> raw, pnet::psk key) {
  auto s = co_await pnet::protect(std::move(raw), key);
  if (!s) co_return;
  std::uint8_t buf[512];
  std::size_t total = 0;
  for (;;) {
    auto n = co_await (*s)->read_some(buf);
    if (!n) break;
    if (*n == 0 || *n > sizeof buf) std::abort();
    total += *n;
    auto w = co_await (*s)->write(byte_span(buf, *n));
    if (!w) break;
  }
  (void)co_await (*s)->close_write();
  if (total > 1 << 20) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto k = pnet::parse_swarm_key(text)) {
    // A key we accept formats to a file that parses to the same key.
    auto again = pnet::parse_swarm_key(pnet::format_swarm_key(*k));
    if (!again || !(*again == *k)) std::abort();
    if (k->fingerprint().size() != 8) std::abort();
  }

  if (size == 0) return 0;
  pnet::psk key;
  for (std::size_t i = 0; i < key.key.size(); ++i) key.key[i] = static_cast<std::uint8_t>(i * 7 + 1);
  asio::io_context ctx;
  auto raw = std::make_unique<fuzzing::memory_stream>(ctx.get_executor(), byte_span(data + 1, size - 1),
                                                      1 + (data[0] & 63));
  asio::co_spawn(ctx, read_protected(std::move(raw), key), asio::detached);
  ctx.run();
  return 0;
}
