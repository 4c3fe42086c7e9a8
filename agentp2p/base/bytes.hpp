// Byte containers and views used across all layers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentp2p {

using bytes = std::vector<std::uint8_t>;
using byte_span = std::span<const std::uint8_t>;
using mutable_byte_span = std::span<std::uint8_t>;

inline byte_span as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_string_view(byte_span b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline bytes to_bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string to_hex(byte_span b);
// The value of one hex digit (either case), or -1.
int hex_digit_value(char c) noexcept;
// Accepts upper/lower case; fails (returns false) on odd length or non-hex digits.
bool from_hex(std::string_view hex, bytes& out);

// Constant-time comparison for secrets and MACs.
bool equal_constant_time(byte_span a, byte_span b) noexcept;

}  // namespace agentp2p
