// Signed agent cards: a card carries a signature by its peer's identity key,
// so a card obtained from the DHT, over HTTP or relayed by a third party can
// be checked as well as one received from the peer itself.
//
// Wire form: two extra top-level fields (praxis-go-sdk ignores unknown fields)
//   "publicKey": base64 (RFC 4648 alphabet, no padding) of the libp2p protobuf PublicKey
//   "signature": base64 of sign("agentp2p-card-v1:" + canonical JSON)
//
// Canonical JSON (JCS-like, RFC 8785 for the values a card holds): the card
// object as received, without its "signature" member; object members sorted
// by key (byte order, which equals JCS's UTF-16 order for the ASCII keys a
// card has) at every depth; no whitespace; strings escaped as JSON requires
// (Boost.JSON's serializer: \" \\ and control characters only, UTF-8 kept);
// integers in plain decimal. Unknown members are covered by the signature
// too, so a newer peer's extensions verify here unchanged. Signers must not
// put non-integer numbers in a card (their text form is not canonical).
//
// Verification: unsigned (no "signature") → signature_state::unsigned_card;
// a signature with a publicKey that is the peer's (its peer id derives from
// it and equals the card's peerId and, on a stream, the authenticated
// remote) and that verifies → valid; anything else → invalid.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/crypto/keys.hpp"

namespace agentp2p::card {

inline constexpr std::string_view signature_domain = "agentp2p-card-v1:";

// The canonical text of a card's JSON (see above), without "signature".
std::string canonical_json(const boost::json::value& card_json);

// Sets c.public_key and c.signature (c.peer_id must be the key's peer id).
result<void> sign_card(agent_card& c, const crypto::private_key& key);

struct verification {
  signature_state state = signature_state::unsigned_card;
  std::string reason;  // why a card is invalid
};
// Verifies a card as received (its raw JSON object), optionally also
// requiring that it be `expected_peer`'s.
verification verify_card(const boost::json::value& card_json, const crypto::peer_id* expected_peer = nullptr);

}  // namespace agentp2p::card
