// libFuzzer entry for the parsers that see remote input: the PublicKey
// protobuf (Noise/identify payloads) and peer id multihashes. Not built by
// CMake. Built and run this way (instrumenting the parsers too):
//   G=build/agentp2p/crypto/proto_gen   # keys.pb.cc from a normal build
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. -I$G
//     agentp2p/crypto/{sha256,openssl_util,key_codec,keys,ed25519,secp256k1,ecdsa,rsa,peer_id}.cpp
//     $G/keys.pb.cc agentp2p/multiformats/{multibase,rfc4648,radix,quote,multihash,cid}.cpp
//     agentp2p/base/{bytes,result,uvarint}.cpp agentp2p/crypto/keys_fuzz.cpp
//     -lprotobuf-lite -lcrypto -lsecp256k1 -o keys_fuzz
// Seed corpus: the hex vectors in test_vectors.hpp, as binary files.
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
