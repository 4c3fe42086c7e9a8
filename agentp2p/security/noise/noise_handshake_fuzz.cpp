// libFuzzer entry for Noise XX: untrusted bytes as each of the three
// handshake messages, from both roles, and to the handshake payload decoder.
// Built as fuzz_noise_handshake by tests/fuzz; seeds in tests/fuzz/corpus/noise_handshake.
#include <cstddef>
#include <cstdint>

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/security/noise/handshake_payload.hpp"
#include "agentp2p/security/noise/handshake_state.hpp"

using namespace agentp2p;
using namespace agentp2p::noise;

namespace {

// Fixed keys: the fuzzer explores the input, not the key space.
x25519_keypair fixed(std::uint8_t seed) {
  dh_key k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(seed + i * 13);
  return x25519_keypair::from_private(k);
}

void check_payload(const bytes& payload, const std::optional<dh_key>& remote_static) {
  auto p = decode_handshake_payload(payload);
  if (p && remote_static) (void)verify_handshake_payload(*p, *remote_static);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const byte_span in(data, size);

  // As message 1, to a responder.
  {
    handshake_state resp(role::responder, fixed(1), {}, fixed(2));
    if (resp.read_message(in)) (void)resp.write_message({});
  }
  // As message 2, to an initiator that sent a real message 1.
  {
    handshake_state init(role::initiator, fixed(3), {}, fixed(4));
    (void)init.write_message({});
    if (auto payload = init.read_message(in)) check_payload(*payload, init.remote_static());
  }
  // As message 3, to a responder that got a real message 1 and sent message 2.
  {
    handshake_state init(role::initiator, fixed(5), {}, fixed(6));
    handshake_state resp(role::responder, fixed(7), {}, fixed(8));
    auto m1 = init.write_message({});
    if (m1 && resp.read_message(*m1) && resp.write_message({})) {
      if (auto payload = resp.read_message(in)) {
        check_payload(*payload, resp.remote_static());
        (void)resp.split();
      }
    }
  }
  // Directly as a handshake payload.
  (void)decode_handshake_payload(in);
  return 0;
}
