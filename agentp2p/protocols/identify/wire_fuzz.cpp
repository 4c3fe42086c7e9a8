// libFuzzer entry for the Identify protobuf message (identify and identify
// push: the first thing a stranger's node tells us after the handshake).
// Built as fuzz_identify by tests/fuzz; seeds in tests/fuzz/corpus/identify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/protocols/identify/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  auto m = identify::decode(byte_span(data, size));
  if (!m) return 0;
  // Whatever decodes re-encodes to a message that decodes to the same fields.
  auto again = identify::decode(identify::encode(*m));
  if (!again) std::abort();
  if (again->protocol_version != m->protocol_version || again->agent_version != m->agent_version ||
      again->public_key != m->public_key || again->listen_addrs != m->listen_addrs ||
      again->observed_addr != m->observed_addr || again->protocols != m->protocols)
    std::abort();
  if (m->public_key) (void)crypto::peer_id::from_public_key(*m->public_key);
  // A push merged into an earlier message (go-libp2p splits large ones).
  auto base = *again;
  identify::merge(base, std::move(*m));
  return 0;
}
