// libFuzzer entry for mDNS: one packet through the DNS codec and the
// discovery engine. Built as fuzz_mdns_packet by tests/fuzz; seeds in
// tests/fuzz/corpus/mdns_packet.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include "agentp2p/protocols/mdns/engine.hpp"

using namespace agentp2p;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const byte_span input(data, size);
  // Whatever decodes re-encodes, and decodes again to the same records.
  if (auto m = mdns::decode(input)) {
    auto again = mdns::encode(*m, 1 << 20);
    if (again) {
      auto back = mdns::decode(*again, mdns::decode_limits{1 << 20});
      if (!back || back->answers.size() != m->answers.size() || back->questions.size() != m->questions.size())
        __builtin_trap();
    }
  }
  // The engine: as a query (answered) and as a response (peers read).
  static const auto self = crypto::peer_id::from_public_key(crypto::private_key::generate_ed25519().public_key());
  mdns::config cfg;
  cfg.service_names = {"_p2p._udp", "praxis-p2p-mcp"};
  mdns::engine e(cfg, self, "fuzzpeer");
  mdns::interface_view view;
  view.name = "fuzz0";
  view.index = 1;
  view.addrs = {*multiformats::multiaddr::parse("/ip4/10.0.0.1/tcp/4001/p2p/" + self.to_string())};
  view.ips = {bytes{10, 0, 0, 1}};
  const auto now = mdns::clock::now();
  (void)e.on_packet(input, view, "10.0.0.2", (size & 1) != 0, now);
  while (e.next(now + std::chrono::seconds(10))) {
  }
  return 0;
}

