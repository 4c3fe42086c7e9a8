// libFuzzer entry for agent cards as received from a peer, the DHT or HTTP:
// JSON → card (with limits), canonical JSON, signature verification (any key
// type the card names), and signing: a card we accept, signed with our key,
// must verify, and its canonical form must be stable.
// Built as fuzz_agent_card by tests/fuzz; seeds in tests/fuzz/corpus/agent_card.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/agent/card/signed_card.hpp"

namespace {

using namespace agentp2p;
namespace json = boost::json;

// One Ed25519 key per process: the invariants hold for any key.
const crypto::private_key& our_key() {
  static const crypto::private_key k = crypto::private_key::generate_ed25519();
  return k;
}

// Numbers that are neither int64 nor uint64 (fractions, or integers too
// large for 64 bits) are doubles, whose text form does not survive a round
// trip exactly: signed_card.hpp excludes them from cards ("signers must not
// put non-integer numbers in a card"); a card holding one fails verification.
bool has_double(const json::value& v) {
  if (v.is_double()) return true;
  if (const auto* o = v.if_object())
    for (const auto& kv : *o)
      if (has_double(kv.value())) return true;
  if (const auto* a = v.if_array())
    for (const auto& e : *a)
      if (has_double(e)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  auto v = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, opts);
  if (ec) return 0;

  // Canonical JSON is a fixed point: canonicalising its own output changes
  // nothing (for documents without doubles, see has_double).
  auto canon = card::canonical_json(v);
  json::value reparsed = json::parse(canon, ec, {}, opts);
  if (!ec && !has_double(v) && card::canonical_json(reparsed) != canon) std::abort();

  auto verdict = card::verify_card(v);
  if (verdict.state == card::signature_state::invalid && verdict.reason.empty()) std::abort();
  auto c = card::from_json(v);
  if (c) {
    if (auto id = crypto::peer_id::parse(c->peer_id)) (void)card::verify_card(v, &*id);
    // Re-signed by us, the card verifies, and says so after a trip through text.
    c->peer_id = crypto::peer_id::from_public_key(our_key().public_key()).to_string();
    if (!card::sign_card(*c, our_key())) std::abort();
    auto signed_json = json::parse(json::serialize(card::to_json(*c)));
    auto ok = card::verify_card(signed_json);
    if (ok.state != card::signature_state::valid) std::abort();
    auto again = card::from_json(signed_json);
    if (!again || again->signature != c->signature) std::abort();
  }
  return 0;
}
