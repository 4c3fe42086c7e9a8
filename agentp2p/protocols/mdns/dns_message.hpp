// A DNS message codec for multicast DNS (RFC 1035 wire format, RFC 6762
// additions: the cache-flush / unicast-response bit in the class field).
// Pure: bytes in, a message out (or an error), and back. Every packet comes
// from anyone on the LAN, so decoding is bounded: packet size, record count,
// name length, compression pointers (which must point strictly backwards, so
// a pointer loop cannot exist) and rdata sizes.
//
// Names are dotted text without the trailing dot ("_p2p._udp.local"); a '.'
// or '\' inside a label is escaped with '\'. Compare names with
// same_name() (DNS names are case-insensitive).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::mdns {

namespace rr_type {
inline constexpr std::uint16_t a = 1;
inline constexpr std::uint16_t ptr = 12;
inline constexpr std::uint16_t txt = 16;
inline constexpr std::uint16_t aaaa = 28;
inline constexpr std::uint16_t srv = 33;
inline constexpr std::uint16_t any = 255;
}  // namespace rr_type

inline constexpr std::uint16_t class_in = 1;

struct question {
  std::string name;
  std::uint16_t type = rr_type::ptr;
  std::uint16_t qclass = class_in;  // without the top bit
  bool unicast_response = false;    // the QU bit (RFC 6762 §5.4)
};

struct srv_data {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;
};

struct record {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t rclass = class_in;  // without the top bit
  bool cache_flush = false;         // the top bit of the class (RFC 6762 §10.2)
  std::uint32_t ttl = 0;
  // The data, by type: PTR → ptr; TXT → txt; SRV → srv; A → 4 bytes of
  // address, AAAA → 16; any other type keeps its raw rdata.
  std::string ptr;
  std::vector<std::string> txt;
  srv_data srv;
  bytes address;
  bytes raw;
};

struct message {
  std::uint16_t id = 0;  // 0 in multicast DNS
  std::uint16_t flags = 0;
  std::vector<question> questions;
  std::vector<record> answers;
  std::vector<record> authorities;
  std::vector<record> additionals;

  static constexpr std::uint16_t flag_response = 0x8000;
  static constexpr std::uint16_t flag_authoritative = 0x0400;
  bool is_response() const noexcept { return (flags & flag_response) != 0; }
  // The opcode (bits 11-14); multicast DNS uses 0 (standard query) only.
  int opcode() const noexcept { return (flags >> 11) & 0xf; }
};

struct decode_limits {
  // RFC 6762 §17: a multicast DNS packet, headers included, is at most 9000 bytes.
  std::size_t max_packet = 9000;
  std::size_t max_questions = 64;
  std::size_t max_records = 256;  // over all three record sections
  std::size_t max_txt_strings = 64;
  // Compression pointers followed while reading one name.
  int max_pointer_hops = 32;
};

inline constexpr std::size_t max_name_length = 255;  // wire form (RFC 1035 §2.3.4)
inline constexpr std::size_t max_label_length = 63;

// Parses a packet; errc::decode_error / errc::too_large say why it was refused.
result<message> decode(byte_span packet, const decode_limits& limits = {});
// Serialises with name compression; errc::invalid_argument for a name or TXT
// string that does not fit DNS limits, errc::too_large above `max_packet`.
result<bytes> encode(const message& m, std::size_t max_packet = 9000);

// Case-insensitive (ASCII) name comparison.
bool same_name(std::string_view a, std::string_view b) noexcept;
// The first label of a name, unescaped ("abc.x.local" → "abc").
std::string first_label(std::string_view name);

}  // namespace agentp2p::mdns
