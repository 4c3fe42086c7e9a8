// Multiaddr: self-describing network addresses, binary and string codecs.
// https://github.com/multiformats/multiaddr — protocol table in protocols.hpp.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::multiformats {

// Multicodec codes of the multiaddr protocols we understand.
enum class protocol_code : std::uint32_t {
  ip4 = 4,
  tcp = 6,
  dccp = 33,
  ip6 = 41,
  ip6zone = 42,
  ipcidr = 43,
  dns = 53,
  dns4 = 54,
  dns6 = 55,
  dnsaddr = 56,
  sctp = 132,
  udp = 273,
  p2p_webrtc_direct = 276,
  p2p_webrtc_star = 275,
  webrtc_direct = 280,
  webrtc = 281,
  p2p_circuit = 290,
  udt = 301,
  utp = 302,
  unix_path = 400,
  p2p = 421,
  https = 443,
  onion = 444,
  onion3 = 445,
  garlic64 = 446,
  garlic32 = 447,
  tls = 448,
  sni = 449,
  noise = 454,
  quic = 460,
  quic_v1 = 461,
  webtransport = 465,
  certhash = 466,
  ws = 477,
  wss = 478,
  p2p_websocket_star = 479,
  http = 480,
  http_path = 481,
  memory = 777,
};

// Limits on untrusted input, enforced by parse, from_bytes and from_components.
// Real addresses are far smaller (a full /dns/.../tcp/.../tls/ws/p2p/... is
// under 150 bytes); the caps bound the work a peer's identify message can cause.
inline constexpr std::size_t max_multiaddr_size = 1024;       // binary bytes
inline constexpr std::size_t max_multiaddr_components = 32;
// Text longer than this is rejected before parsing; no address within the
// binary cap needs more (the widest expansion, percent-escaping, is 3x).
inline constexpr std::size_t max_multiaddr_text = 8192;

struct component {
  protocol_code code;
  bytes value;  // binary value, empty for protocols without one

  std::string_view name() const;   // "ip4", "p2p-circuit", ...; "unknown" for codes not in protocols.hpp
  // "127.0.0.1", "4001", base58 peer id, "/tmp/sock" for unix, "" when the
  // protocol has no value; "0x<hex>" if `value` is not valid for the protocol.
  std::string value_string() const;
  bool operator==(const component&) const = default;
};

class multiaddr {
 public:
  multiaddr() = default;

  // "/ip4/127.0.0.1/tcp/4001/p2p/12D3Koo..."; /ipfs/ is accepted as /p2p/.
  // A unix path takes the rest of the string ("/unix/tmp/p2pd.sock"), so it
  // is always the last component (from_bytes enforces that too).
  // Errors: decode_error naming the bad part ("unknown protocol 'foo'",
  // "invalid ip4 address '1.2.3'", "missing value for tcp").
  static result<multiaddr> parse(std::string_view text);
  // Binary form; every component is validated (lengths, values).
  // Errors: decode_error (empty, truncated, unknown code, bad value),
  // too_large (over max_multiaddr_size or max_multiaddr_components).
  static result<multiaddr> from_bytes(byte_span binary);
  static result<multiaddr> from_components(std::vector<component> parts);

  const bytes& to_bytes() const noexcept { return bytes_; }
  // Canonical text: p2p values in base58btc, certhash as base64url ('u'),
  // ip6 in RFC 5952 form. parse(to_string()) gives back the same bytes.
  std::string to_string() const;
  std::vector<component> components() const;
  bool empty() const noexcept { return bytes_.empty(); }

  // First component with this code, if any.
  std::optional<component> find(protocol_code code) const;
  // String value of the first component with this code ("4001" for tcp).
  std::optional<std::string> value_for(protocol_code code) const;
  bool has(protocol_code code) const { return find(code).has_value(); }

  // Appends inner's components. The limits above are not re-checked (both
  // halves are already trusted values), so a result past them will not
  // survive a later from_bytes; callers building from peer input should
  // check to_bytes().size() / components().size() themselves.
  multiaddr encapsulate(const multiaddr& inner) const;
  // Removes the last component with `code` and everything after it; returns
  // the address unchanged when no component has `code`.
  multiaddr decapsulate(protocol_code code) const;

  auto operator<=>(const multiaddr&) const = default;

 private:
  explicit multiaddr(bytes b) : bytes_(std::move(b)) {}
  bytes bytes_;
};

}  // namespace agentp2p::multiformats

template <>
struct std::hash<agentp2p::multiformats::multiaddr> {
  std::size_t operator()(const agentp2p::multiformats::multiaddr& m) const noexcept;
};
