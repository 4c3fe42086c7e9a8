#include "agentp2p/crypto/peer_id.hpp"

#include <array>
#include <functional>

#include "agentp2p/crypto/sha256.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/multihash.hpp"

namespace agentp2p::crypto {
namespace {

namespace mf = agentp2p::multiformats;

// Keys whose protobuf encoding fits are inlined rather than hashed (spec).
constexpr std::size_t max_inline_key = 42;
constexpr std::size_t sha256_size = 32;
// Longest legitimate text: a CIDv1 of a 44-byte identity multihash in
// base16 is ~100 characters; anything far longer is not a peer id.
constexpr std::size_t max_text_size = 256;

}  // namespace

peer_id peer_id::from_public_key(const public_key& key) {
  const bytes encoded = key.to_protobuf();
  if (encoded.size() <= max_inline_key) return peer_id(mf::multihash::identity(encoded).to_bytes());
  const sha256_digest digest = sha256(encoded);
  return peer_id(mf::multihash::from_digest(mf::hash_code::sha2_256, digest).to_bytes());
}

result<peer_id> peer_id::from_bytes(byte_span mh_bytes) {
  auto mh = mf::multihash::from_bytes(mh_bytes);
  if (!mh) return make_error(errc::decode_error, "peer id: " + mh.error().message);
  // Re-encoding must give back the input: rejects trailing bytes and
  // non-minimal varints, so one peer has exactly one byte form.
  if (mh->to_bytes() != bytes(mh_bytes.begin(), mh_bytes.end()))
    return make_error(errc::decode_error, "peer id: non-canonical multihash");
  switch (static_cast<mf::hash_code>(mh->code)) {
    case mf::hash_code::sha2_256:
      if (mh->digest.size() != sha256_size)
        return make_error(errc::decode_error, "peer id: sha2-256 digest must be 32 bytes");
      return peer_id(bytes(mh_bytes.begin(), mh_bytes.end()));
    case mf::hash_code::identity: {
      // The inlined key must parse, and be in the canonical form we would
      // produce ourselves; otherwise matches()/== would disagree about it.
      auto key = public_key::from_protobuf(mh->digest);
      if (!key) return make_error(errc::decode_error, "peer id: inlined public key: " + key.error().message);
      peer_id canonical = from_public_key(*key);
      if (canonical.multihash_ != bytes(mh_bytes.begin(), mh_bytes.end()))
        return make_error(errc::decode_error, "peer id: inlined public key is not canonically encoded");
      return canonical;
    }
  }
  return make_error(errc::decode_error, "peer id: unsupported multihash code " + std::to_string(mh->code));
}

result<peer_id> peer_id::parse(std::string_view text) {
  if (text.empty()) return make_error(errc::decode_error, "peer id: empty string");
  if (text.size() > max_text_size)
    return make_error(errc::decode_error, "peer id: text of " + std::to_string(text.size()) + " characters is too long");
  // Bare base58btc multihashes: "Qm..." (sha2-256) and "1..." (identity).
  if (text.front() == '1' || text.starts_with("Qm")) {
    auto mh = mf::base58btc_decode(text);
    if (!mh) return make_error(errc::decode_error, "peer id '" + std::string(text) + "': " + mh.error().message);
    return from_bytes(*mh);
  }
  // Otherwise a multibase CIDv1 with the libp2p-key codec ("bafz...").
  auto c = mf::cid::parse(text);
  if (!c) return make_error(errc::decode_error, "peer id '" + std::string(text) + "': " + c.error().message);
  if (c->version != 1 || c->content_codec != mf::codec::libp2p_key)
    return make_error(errc::decode_error, "peer id '" + std::string(text) + "': CID is not a v1 libp2p-key CID");
  return from_bytes(c->hash.to_bytes());
}

std::string peer_id::to_base58() const {
  // The same few peers are named over and over (a tool server names its
  // caller on every call; base58 is ~5k instructions for an Ed25519 id), so
  // each thread remembers its last few encodings (round-robin replacement).
  struct remembered {
    bytes multihash;
    std::string text;
  };
  constexpr std::size_t slots = 8;
  thread_local std::array<remembered, slots> recent;
  thread_local std::size_t next_slot = 0;
  for (const auto& r : recent)
    if (!r.text.empty() && r.multihash == multihash_) return r.text;
  auto text = mf::base58btc_encode(multihash_);
  auto& r = recent[next_slot];
  next_slot = (next_slot + 1) % slots;
  r.multihash = multihash_;
  r.text = text;
  return text;
}

std::string peer_id::to_cid_string() const {
  // multihash_ was validated on the way in, so this cannot fail.
  auto mh = mf::multihash::from_bytes(multihash_);
  return mf::cid{1, mf::codec::libp2p_key, std::move(mh).value()}.to_string(mf::base::base32);
}

std::string peer_id::short_string() const {
  std::string s = to_base58();
  return s.size() <= 6 ? s : s.substr(s.size() - 6);
}

std::optional<public_key> peer_id::extract_public_key() const {
  auto mh = mf::multihash::from_bytes(multihash_);
  if (!mh || mh->code != static_cast<std::uint64_t>(mf::hash_code::identity)) return std::nullopt;
  auto key = public_key::from_protobuf(mh->digest);
  if (!key) return std::nullopt;
  return std::move(*key);
}

bool peer_id::matches(const public_key& key) const { return from_public_key(key) == *this; }

}  // namespace agentp2p::crypto

std::size_t std::hash<agentp2p::crypto::peer_id>::operator()(
    const agentp2p::crypto::peer_id& p) const noexcept {
  return std::hash<std::string_view>{}(agentp2p::as_string_view(p.to_bytes()));
}
