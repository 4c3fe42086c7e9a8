#include "agentp2p/multiformats/ip_text.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace agentp2p::multiformats::detail {

bool parse_ip4(std::string_view text, std::uint8_t out[4]) {
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return false;
    out[part] = static_cast<std::uint8_t>(value);
  }
  return pos == text.size();
}

bool parse_ip6(std::string_view text, std::uint8_t out[16]) {
  // inet_pton needs a terminated string; the longest valid form is 45 chars.
  char buf[64];
  if (text.size() >= sizeof buf || text.find('\0') != std::string_view::npos) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}

std::string format_ip4(const std::uint8_t in[4]) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out.push_back('.');
    out += std::to_string(in[i]);
  }
  return out;
}

std::string format_ip6(const std::uint8_t in[16]) {
  unsigned groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = (static_cast<unsigned>(in[2 * i]) << 8) | in[2 * i + 1];

  bool mapped_v4 = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0 &&
                   groups[5] == 0xffff;
  if (mapped_v4) return "::ffff:" + format_ip4(in + 12);

  // Longest run of zero groups; the first one wins a tie; a lone zero stays.
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = -1;

  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned nibble = (groups[i] >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        out.push_back(hex[nibble]);
        started = true;
      }
    }
  }
  return out;
}

}  // namespace agentp2p::multiformats::detail
