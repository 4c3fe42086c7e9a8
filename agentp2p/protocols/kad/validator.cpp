#include "agentp2p/protocols/kad/validator.hpp"

#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::kad {

std::string_view key_namespace(byte_span key) {
  auto text = as_string_view(key);
  if (text.size() < 3 || text[0] != '/') return {};
  auto end = text.find('/', 1);
  if (end == std::string_view::npos || end == 1) return {};
  return text.substr(1, end - 1);
}

bytes public_key_record_key(const crypto::peer_id& peer) {
  bytes key = to_bytes("/pk/");
  key.insert(key.end(), peer.to_bytes().begin(), peer.to_bytes().end());
  return key;
}

result<void> public_key_validator::validate(byte_span key, byte_span value) const {
  if (key.size() <= 4 || as_string_view(key.first(4)) != "/pk/")
    return make_error(errc::invalid_argument, "kad /pk record: key is not /pk/<peer id>");
  auto peer = crypto::peer_id::from_bytes(key.subspan(4));
  if (!peer) return make_error(errc::invalid_argument, "kad /pk record: key does not hold a peer id");
  auto pk = crypto::public_key::from_protobuf(value);
  if (!pk) return make_error(errc::invalid_argument, "kad /pk record: value is not a public key");
  if (!peer->matches(*pk))
    return make_error(errc::invalid_argument, "kad /pk record: public key does not belong to " + peer->to_string());
  return ok();
}

std::size_t public_key_validator::select(byte_span, const std::vector<bytes>&) const { return 0; }

validator_set::validator_set() { add("pk", std::make_shared<public_key_validator>()); }

void validator_set::add(std::string name, std::shared_ptr<const validator> v) { validators_[std::move(name)] = std::move(v); }

const validator* validator_set::find(byte_span key) const {
  auto ns = key_namespace(key);
  auto it = validators_.find(ns);
  return it == validators_.end() ? nullptr : it->second.get();
}

result<void> validator_set::validate(byte_span key, byte_span value) const {
  const auto* v = find(key);
  if (!v) return make_error(errc::unsupported, "kad: no validator for record namespace '" + std::string(key_namespace(key)) + "'");
  return v->validate(key, value);
}

std::size_t validator_set::select(byte_span key, const std::vector<bytes>& values) const {
  const auto* v = find(key);
  if (!v || values.size() <= 1) return 0;
  auto i = v->select(key, values);
  return i < values.size() ? i : 0;
}

}  // namespace agentp2p::kad
