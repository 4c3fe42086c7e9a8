// libFuzzer entry for the plaintext Exchange decoder and its id/key
// consistency check. Built as fuzz_plaintext_exchange by tests/fuzz; seeds
// in tests/fuzz/corpus/plaintext_exchange.
#include <cstddef>
#include <cstdint>

#include "agentp2p/security/plaintext/exchange.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = agentp2p::plaintext::decode_exchange(agentp2p::byte_span(data, size));
  if (r) {
    // Whatever decodes must be self-consistent.
    if (!r->peer.matches(r->key)) __builtin_trap();
  }
  return 0;
}
