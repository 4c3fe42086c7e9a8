#include "agentp2p/agent/card/signed_card.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/serialize.hpp>

#include "agentp2p/multiformats/multibase.hpp"

namespace agentp2p::card {

namespace json = boost::json;

namespace {

// Depth is bounded by the parser that produced the value (Boost.JSON's
// default max_depth of 32), so recursion is bounded too.
void write_canonical(const json::value& v, std::string& out, bool top) {
  switch (v.kind()) {
    case json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const json::key_value_pair*> members;
      members.reserve(o.size());
      for (const auto& kv : o)
        if (!(top && kv.key() == "signature")) members.push_back(&kv);
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        out += json::serialize(json::string(members[i]->key()));
        out += ':';
        write_canonical(members[i]->value(), out, false);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write_canonical(e, out, false);
      }
      out += ']';
      return;
    }
    default:
      out += json::serialize(v);
      return;
  }
}

bytes signed_bytes(const json::value& card_json) {
  std::string text(signature_domain);
  write_canonical(card_json, text, true);
  return bytes(text.begin(), text.end());
}

verification invalid(std::string why) { return {signature_state::invalid, std::move(why)}; }

}  // namespace

std::string canonical_json(const json::value& card_json) {
  std::string out;
  write_canonical(card_json, out, true);
  return out;
}

result<void> sign_card(agent_card& c, const crypto::private_key& key) {
  const auto pub = key.public_key();
  if (crypto::peer_id::from_public_key(pub).to_string() != c.peer_id)
    return make_error(errc::invalid_argument, "sign_card: the card's peerId is not the signing key's peer id");
  c.public_key = multiformats::base64_encode(pub.to_protobuf());
  c.signature.clear();
  AP_TRY(auto sig, key.sign(signed_bytes(to_json(c))));
  c.signature = multiformats::base64_encode(sig);
  return ok();
}

verification verify_card(const json::value& card_json, const crypto::peer_id* expected_peer) {
  if (!card_json.is_object()) return invalid("the card is not a JSON object");
  const auto& o = card_json.get_object();
  const auto* sig = o.if_contains("signature");
  if (!sig || sig->is_null()) return {};
  const auto* pub = o.if_contains("publicKey");
  const auto* peer = o.if_contains("peerId");
  if (!sig->is_string() || !pub || !pub->is_string() || !peer || !peer->is_string())
    return invalid("a signed card needs string fields signature, publicKey and peerId");
  auto sig_bytes = multiformats::base64_decode(sig->get_string());
  auto pub_bytes = multiformats::base64_decode(pub->get_string());
  if (!sig_bytes || !pub_bytes) return invalid("signature or publicKey is not base64");
  auto key = crypto::public_key::from_protobuf(*pub_bytes);
  if (!key) return invalid("publicKey: " + key.error().message);
  const auto owner = crypto::peer_id::from_public_key(*key);
  if (owner.to_string() != peer->get_string())
    return invalid("publicKey belongs to " + owner.to_string() + ", not to the card's peerId");
  if (expected_peer && owner != *expected_peer)
    return invalid("the card is signed by " + owner.to_string() + ", not by " + expected_peer->to_string());
  if (!key->verify(signed_bytes(card_json), *sig_bytes)) return invalid("the signature does not match the card");
  return {signature_state::valid, {}};
}

}  // namespace agentp2p::card
