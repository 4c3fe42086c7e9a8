// Value codecs, one small block per protocol family. The rules follow
// go-multiaddr's transcoders (the reference other implementations test
// against), with a few stricter checks noted where they differ.
#include "agentp2p/multiformats/multiaddr_values.hpp"

#include <cstdint>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/multiformats/cid.hpp"
#include "agentp2p/multiformats/ip_text.hpp"
#include "agentp2p/multiformats/multibase.hpp"
#include "agentp2p/multiformats/multihash.hpp"
#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats::detail {
namespace {

using pc = protocol_code;

// What a protocol's value is called in messages: "invalid tcp port '99999'".
std::string_view value_kind(const protocol_info& p) {
  switch (p.code) {
    case pc::ip4:
    case pc::ip6:
    case pc::onion:
    case pc::onion3:
    case pc::garlic64:
    case pc::garlic32: return "address";
    case pc::tcp:
    case pc::udp:
    case pc::dccp:
    case pc::sctp: return "port";
    case pc::ipcidr: return "mask";
    case pc::dns:
    case pc::dns4:
    case pc::dns6:
    case pc::dnsaddr:
    case pc::sni: return "name";
    case pc::ip6zone: return "zone";
    case pc::unix_path: return "path";
    case pc::p2p: return "peer id";
    case pc::memory: return "id";
    default: return "value";
  }
}

agentp2p::error invalid(const protocol_info& p, std::string_view text, std::string_view why = {}) {
  std::string msg = "multiaddr: invalid " + std::string(p.name) + " " + std::string(value_kind(p)) + " " + quote(text);
  if (!why.empty()) msg += ": " + std::string(why);
  return make_error(errc::decode_error, std::move(msg));
}

// Binary checks report a bare reason; callers add the context.
agentp2p::error bad(std::string_view why) { return make_error(errc::decode_error, std::string(why)); }

// Unsigned decimal, digits only (no sign, no spaces), overflow-checked.
bool parse_decimal(std::string_view text, std::uint64_t max, std::uint64_t& out) {
  if (text.empty()) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

std::uint64_t read_big_endian(byte_span b) {
  std::uint64_t v = 0;
  for (auto x : b) v = (v << 8) | x;
  return v;
}

void append_big_endian(bytes& out, std::uint64_t v, int size) {
  for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// dns*, sni, ip6zone: printed verbatim, so they may not hold '/' (it would
// split the string form) nor spaces or control characters (log safety; Go
// allows those, we are stricter).
result<void> check_name(byte_span b, std::size_t max_size) {
  if (b.empty()) return bad("empty");
  if (b.size() > max_size) return bad("longer than " + std::to_string(max_size) + " bytes");
  for (auto c : b) {
    if (c == '/') return bad("contains '/'");
    if (c <= 0x20 || c == 0x7f) return bad("contains a space or control character");
  }
  return ok();
}

// http-path: one RFC 3986 path segment. Everything outside the unreserved set
// is percent-encoded on output (as Go's QueryEscape, but a space is %20).
bool is_unreserved(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(byte_span b) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (auto c : b) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

bool percent_decode(std::string_view text, bytes& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(static_cast<std::uint8_t>(text[i]));
      continue;
    }
    if (i + 2 >= text.size()) return false;
    int hi = hex_digit_value(text[i + 1]), lo = hex_digit_value(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// Tor and I2P addresses use rfc4648 base32/base64 with their own alphabets.
constexpr bit_alphabet onion_base32{"base32", "abcdefghijklmnopqrstuvwxyz234567", 5, true};
// Go decodes these without checking leftover bits; so do we, for its vectors.
constexpr bit_alphabet garlic_base32{"base32", "abcdefghijklmnopqrstuvwxyz234567", 5, false, false};
constexpr bit_alphabet garlic_base64{
    "base64", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~", 6, false, false};

// onion / onion3: "<base32 host>:<port>", port 1..65535.
result<bytes> onion_from_string(const protocol_info& p, std::string_view text, std::size_t host_chars) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return invalid(p, text, "missing port");
  auto host = text.substr(0, colon);
  std::uint64_t port = 0;
  if (!parse_decimal(text.substr(colon + 1), 65535, port) || port == 0)
    return invalid(p, text, "port must be 1-65535");
  if (host.size() != host_chars)
    return invalid(p, text, "host must be " + std::to_string(host_chars) + " base32 characters");
  auto decoded = decode_bits(host, onion_base32);
  if (!decoded) return invalid(p, text, decoded.error().message);
  append_big_endian(*decoded, port, 2);
  return std::move(*decoded);
}

result<bytes> p2p_from_string(const protocol_info& p, std::string_view text) {
  // Legacy peer ids are bare base58btc multihashes: "Qm..." (sha2-256) or
  // "1..." (identity, e.g. 12D3KooW...). Anything else must be a CIDv1 with
  // the libp2p-key codec (bafz..., k51...).
  if (text.starts_with("Qm") || text.starts_with("1")) {
    auto raw = base58btc_decode(text);
    if (!raw) return invalid(p, text, raw.error().message);
    return std::move(*raw);
  }
  auto c = cid::parse(text);
  if (!c) return invalid(p, text, c.error().message);
  if (c->content_codec != codec::libp2p_key)
    return invalid(p, text, "CID codec is " + std::to_string(c->content_codec) + ", not libp2p-key");
  return c->hash.to_bytes();
}

result<bytes> convert(const protocol_info& p, std::string_view text) {
  switch (p.code) {
    case pc::ip4: {
      bytes out(4);
      if (!parse_ip4(text, out.data())) return invalid(p, text);
      return out;
    }
    case pc::ip6: {
      bytes out(16);
      if (!parse_ip6(text, out.data())) return invalid(p, text);
      return out;
    }
    case pc::tcp:
    case pc::udp:
    case pc::dccp:
    case pc::sctp: {
      std::uint64_t port = 0;
      if (!parse_decimal(text, 65535, port)) return invalid(p, text);
      bytes out;
      append_big_endian(out, port, 2);
      return out;
    }
    case pc::ipcidr: {
      std::uint64_t bits = 0;
      if (!parse_decimal(text, 255, bits)) return invalid(p, text);
      return bytes{static_cast<std::uint8_t>(bits)};
    }
    case pc::memory: {
      std::uint64_t id = 0;
      if (!parse_decimal(text, UINT64_MAX, id)) return invalid(p, text);
      bytes out;
      append_big_endian(out, id, 8);
      return out;
    }
    case pc::p2p: return p2p_from_string(p, text);
    case pc::certhash: {
      auto raw = multibase_decode(text);
      if (!raw) return invalid(p, text, raw.error().message);
      return std::move(*raw);
    }
    case pc::http_path: {
      bytes out;
      if (!percent_decode(text, out)) return invalid(p, text, "bad percent-escape");
      return out;
    }
    case pc::onion: return onion_from_string(p, text, 16);
    case pc::onion3: return onion_from_string(p, text, 56);
    case pc::garlic64: {
      auto raw = decode_bits(text, garlic_base64);
      if (!raw) return invalid(p, text, raw.error().message);
      return std::move(*raw);
    }
    case pc::garlic32: {
      auto raw = decode_bits(text, garlic_base32);
      if (!raw) return invalid(p, text, raw.error().message);
      return std::move(*raw);
    }
    default:  // dns*, sni, ip6zone, unix: the bytes are the text
      return to_bytes(text);
  }
}

result<void> check_value(const protocol_info& p, byte_span b) {
  switch (p.code) {
    case pc::dns:
    case pc::dns4:
    case pc::dns6:
    case pc::dnsaddr:
    case pc::sni:
    case pc::ip6zone: return check_name(b, 255);
    case pc::unix_path:
      // The path is absolute: the string form writes it after "/unix".
      if (b.size() < 2 || b[0] != '/') return bad("path must start with '/' and not be empty");
      if (b.back() == '/') return bad("path must not end with '/'");
      for (auto c : b)
        if (c < 0x20 || c == 0x7f) return bad("path contains a control character");
      return ok();
    case pc::p2p: {
      auto mh = multihash::from_bytes(b);
      if (!mh) return bad(mh.error().message);
      // Peer ids are sha2-256 or identity multihashes (libp2p/specs peer-ids).
      if (mh->code != static_cast<std::uint64_t>(hash_code::sha2_256) &&
          mh->code != static_cast<std::uint64_t>(hash_code::identity))
        return bad("peer id multihash must be sha2-256 or identity");
      return ok();
    }
    case pc::certhash: {
      auto mh = multihash::from_bytes(b);
      if (!mh) return bad(mh.error().message);
      return ok();
    }
    case pc::http_path:
      if (b.empty()) return bad("empty");
      return ok();
    case pc::onion:
    case pc::onion3:
      if (read_big_endian(b.last(2)) == 0) return bad("port 0");
      return ok();
    case pc::garlic64:
      // Full I2P destinations are at least 386 bytes.
      if (b.size() < 386) return bad("shorter than 386 bytes");
      return ok();
    case pc::garlic32:
      // 32-byte hashes, or 35+ for encrypted leasesets (i2p b32encrypted spec).
      if (b.size() != 32 && b.size() < 35) return bad("must be 32 or at least 35 bytes");
      return ok();
    default:  // fixed-size numbers and addresses: any bit pattern is valid
      return ok();
  }
}

}  // namespace

result<bytes> value_from_string(const protocol_info& p, std::string_view text) {
  AP_TRY(auto b, convert(p, text));
  if (p.size > 0 && b.size() != static_cast<std::size_t>(p.size)) return invalid(p, text, "wrong length");
  auto checked = check_value(p, b);
  if (!checked) return invalid(p, text, checked.error().message);
  return b;
}

result<void> validate_value(const protocol_info& p, byte_span b) {
  auto checked = check_value(p, b);
  if (!checked)
    return make_error(errc::decode_error, "multiaddr: invalid " + std::string(p.name) + " " +
                                              std::string(value_kind(p)) + ": " + checked.error().message);
  return ok();
}

std::string value_to_string(const protocol_info& p, byte_span b) {
  switch (p.code) {
    case pc::ip4: return format_ip4(b.data());
    case pc::ip6: return format_ip6(b.data());
    case pc::tcp:
    case pc::udp:
    case pc::dccp:
    case pc::sctp:
    case pc::ipcidr:
    case pc::memory: return std::to_string(read_big_endian(b));
    case pc::p2p: return base58btc_encode(b);
    case pc::certhash: return multibase_encode(base::base64url, b);
    case pc::http_path: return percent_encode(b);
    case pc::onion:
    case pc::onion3:
      return encode_bits(b.first(b.size() - 2), onion_base32, false) + ":" +
             std::to_string(read_big_endian(b.last(2)));
    case pc::garlic64: return encode_bits(b, garlic_base64, true);
    case pc::garlic32: return encode_bits(b, garlic_base32, false);
    default: return std::string(as_string_view(b));
  }
}

}  // namespace agentp2p::multiformats::detail
