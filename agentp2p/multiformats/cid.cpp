#include "agentp2p/multiformats/cid.hpp"

#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::multiformats {
namespace {

// A CIDv0 is nothing but a sha2-256 multihash: 0x12 0x20 + 32 bytes.
bool looks_like_v0(byte_span b) { return b.size() == 34 && b[0] == 0x12 && b[1] == 0x20; }

result<cid> v0_from_multihash(byte_span b) {
  AP_TRY(auto mh, multihash::from_bytes(b));
  return cid{0, codec::dag_pb, std::move(mh)};
}

}  // namespace

result<cid> cid::from_bytes(byte_span binary) {
  if (looks_like_v0(binary)) return v0_from_multihash(binary);
  auto version = uvarint::decode(binary);
  if (!version) return make_error(errc::decode_error, "cid: bad version: " + version.error().message);
  if (version->value == 0)
    return make_error(errc::decode_error, "cid: a v0 CID is a bare sha2-256 multihash, not a versioned one");
  if (version->value != 1)
    return make_error(errc::unsupported, "cid: unsupported version " + std::to_string(version->value));
  auto rest = binary.subspan(version->length);
  auto content = uvarint::decode(rest);
  if (!content) return make_error(errc::decode_error, "cid: bad content codec: " + content.error().message);
  auto mh = multihash::from_bytes(rest.subspan(content->length));
  if (!mh) return agentp2p::error(mh.error().code, "cid: " + mh.error().message);
  return cid{1, content->value, std::move(*mh)};
}

result<cid> cid::parse(std::string_view text) {
  // v0 text is bare base58btc of the multihash, always 46 chars starting "Qm".
  if (text.size() == 46 && text.starts_with("Qm")) {
    AP_TRY(auto raw, base58btc_decode(text));
    if (!looks_like_v0(raw)) return make_error(errc::decode_error, "cid: v0 string is not a sha2-256 multihash");
    return v0_from_multihash(raw);
  }
  auto raw = multibase_decode(text);
  if (!raw) return agentp2p::error(raw.error().code, "cid: " + raw.error().message);
  AP_TRY(auto c, from_bytes(*raw));
  if (c.version == 0) return make_error(errc::decode_error, "cid: a v0 CID must not carry a multibase prefix");
  return c;
}

bytes cid::to_bytes() const {
  if (version == 0) return hash.to_bytes();
  bytes out;
  uvarint::append(out, version);
  uvarint::append(out, content_codec);
  auto mh = hash.to_bytes();
  out.insert(out.end(), mh.begin(), mh.end());
  return out;
}

std::string cid::to_string(base b) const {
  if (version == 0) return base58btc_encode(hash.to_bytes());
  return multibase_encode(b, to_bytes());
}

}  // namespace agentp2p::multiformats
