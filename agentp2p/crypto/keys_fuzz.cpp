// libFuzzer entry for the parsers that see remote input: the PublicKey
// protobuf (Noise/identify payloads) and peer id multihashes. Built as
// fuzz_crypto_keys by tests/fuzz; seeds (the vectors of test_vectors.hpp) in
// tests/fuzz/corpus/crypto_keys.
#include <cstddef>
#include <cstdint>

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  const byte_span in(data, size);

  if (auto key = crypto::public_key::from_protobuf(in)) {
    // A parsed key must re-encode to something that parses to the same key.
    auto again = crypto::public_key::from_protobuf(key->to_protobuf());
    if (!again || !(*again == *key)) __builtin_trap();
    (void)key->verify(in, in);
    (void)crypto::peer_id::from_public_key(*key);
  }

  if (auto id = crypto::peer_id::from_bytes(in)) {
    auto parsed = crypto::peer_id::parse(id->to_base58());
    auto from_cid = crypto::peer_id::parse(id->to_cid_string());
    if (!parsed || !(*parsed == *id) || !from_cid || !(*from_cid == *id)) __builtin_trap();
    if (auto k = id->extract_public_key(); k && !id->matches(*k)) __builtin_trap();
  }
  (void)crypto::peer_id::parse(agentp2p::as_string_view(in));
  return 0;
}
