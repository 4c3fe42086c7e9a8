// Record validation (kad-dht spec, "Entry validation"): a validator per key
// namespace (the text between the first two '/' of a record key). Records
// in a namespace nobody registered are refused, as go- and js-libp2p do.
// Built in: /pk/<peer id multihash> → the protobuf public key of that peer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::kad {

class validator {
 public:
  virtual ~validator() = default;
  // errc::invalid_argument (or crypto_error) naming what is wrong.
  virtual result<void> validate(byte_span key, byte_span value) const = 0;
  // Index of the best of `values` (all valid); must be stable.
  virtual std::size_t select(byte_span key, const std::vector<bytes>& values) const = 0;
};

// "/pk/<multihash>": the value is a protobuf public key whose peer id is the multihash.
class public_key_validator final : public validator {
 public:
  result<void> validate(byte_span key, byte_span value) const override;
  std::size_t select(byte_span key, const std::vector<bytes>& values) const override;
};

// The namespace of a record key ("pk" for "/pk/..."), or empty.
std::string_view key_namespace(byte_span key);
bytes public_key_record_key(const crypto::peer_id& peer);

class validator_set {
 public:
  validator_set();  // with "pk"
  void add(std::string name, std::shared_ptr<const validator> v);
  result<void> validate(byte_span key, byte_span value) const;
  std::size_t select(byte_span key, const std::vector<bytes>& values) const;

 private:
  const validator* find(byte_span key) const;
  std::map<std::string, std::shared_ptr<const validator>, std::less<>> validators_;
};

}  // namespace agentp2p::kad
