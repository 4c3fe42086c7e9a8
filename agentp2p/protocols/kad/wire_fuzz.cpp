// libFuzzer entry for the Kademlia DHT message codec (every DHT request and
// reply from the network goes through kad::decode) and the record
// validator a PUT_VALUE or GET_VALUE reply's record meets. Built as
// fuzz_kad_wire by tests/fuzz (AGENTP2P_FUZZ=ON); seeds in tests/fuzz/corpus/kad_wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agentp2p/protocols/kad/validator.hpp"
#include "agentp2p/protocols/kad/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  kad::wire_limits limits;
  kad::decode_report report;
  auto m = kad::decode(byte_span(data, size), limits, &report);
  if (!m) return 0;
  // Whatever decodes re-encodes to something that decodes to the same message.
  auto again = kad::decode(kad::encode(*m), limits);
  if (!again || again->type != m->type || again->key != m->key || again->closer_peers.size() != m->closer_peers.size() ||
      again->provider_peers.size() != m->provider_peers.size() || again->rec.has_value() != m->rec.has_value())
    std::abort();
  if (m->closer_peers.size() > limits.max_peers_per_list) std::abort();
  static const kad::validator_set validators;
  if (m->rec) (void)validators.validate(m->rec->key, m->rec->value);
  return 0;
}
