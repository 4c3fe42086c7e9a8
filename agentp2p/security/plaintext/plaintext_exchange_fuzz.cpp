// libFuzzer entry (not built by CMake): feeds untrusted bytes to the
// plaintext Exchange decoder and its id/key consistency check. Build e.g.
//   clang++ -std=c++20 -fsanitize=fuzzer,address -I. -I<build>/agentp2p/security/plaintext/proto_gen \
//     agentp2p/security/plaintext/plaintext_exchange_fuzz.cpp <the plaintext, crypto, base sources> -lcrypto
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
