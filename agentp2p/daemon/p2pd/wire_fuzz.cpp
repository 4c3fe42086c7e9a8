// libFuzzer entry for the p2pd control-protocol codec: every request a control
// client sends goes through decode_request; the client-side decoders are
// fuzzed too. Built as fuzz_p2pd_wire by tests/fuzz (AGENTP2P_FUZZ=ON); seeds
// in tests/fuzz/corpus/p2pd_wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agentp2p/daemon/p2pd/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  byte_span in(data, size);
  p2pd::wire_limits limits;
  if (auto r = p2pd::decode_request(in, limits)) {
    if (r->connect && r->connect->addrs.size() > limits.max_addrs) std::abort();
    if (r->stream_open && (r->stream_open->protocols.empty() || r->stream_open->protocols.size() > limits.max_protocols))
      std::abort();
    if (r->dht && r->dht->value && r->dht->value->size() > limits.max_dht_value_size) std::abort();
    // A decoded DHT request re-encodes to one that decodes the same way.
    if (r->dht) {
      auto again = p2pd::decode_request(p2pd::encode_request_dht(*r->dht), limits);
      if (!again || !again->dht || again->dht->type != r->dht->type || again->dht->key != r->dht->key) std::abort();
    }
  }
  (void)p2pd::decode_response(in);
  (void)p2pd::decode_dht_stream_item(in);
  (void)p2pd::decode_stream_info(in);
  return 0;
}
