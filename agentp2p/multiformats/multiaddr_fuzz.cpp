// libFuzzer entry point: any bytes either fail from_bytes cleanly or form an
// address whose string form parses back to the same bytes. Built as
// fuzz_multiaddr by tests/fuzz; seeds in tests/fuzz/corpus/multiaddr.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agentp2p/multiformats/multiaddr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using agentp2p::multiformats::multiaddr;
  auto m = multiaddr::from_bytes({data, size});
  if (!m) return 0;
  auto text = m->to_string();
  auto again = multiaddr::parse(text);
  if (!again || again->to_bytes() != m->to_bytes()) std::abort();
  for (const auto& c : m->components()) (void)c.value_string();
  // The text path must also survive its own output.
  auto reparsed = multiaddr::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (reparsed) {
    auto round = multiaddr::parse(reparsed->to_string());
    if (!round || *round != *reparsed) std::abort();
  }
  return 0;
}
