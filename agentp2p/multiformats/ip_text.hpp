// Internal: IP address text forms for multiaddr values. Not part of the public API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentp2p::multiformats::detail {

// Dotted decimal, exactly four parts, no leading zeros ("01" is rejected, as
// Go's parser does, since some parsers read it as octal).
bool parse_ip4(std::string_view text, std::uint8_t out[4]);
// Any RFC 4291 text form without a zone ("fe80::1%eth0" is rejected: zones
// live in their own ip6zone component).
bool parse_ip6(std::string_view text, std::uint8_t out[16]);

std::string format_ip4(const std::uint8_t in[4]);
// RFC 5952 canonical form, as go and js print it: lowercase, longest zero run
// of two or more groups as "::", and "::ffff:a.b.c.d" for IPv4-mapped addresses.
std::string format_ip6(const std::uint8_t in[16]);

}  // namespace agentp2p::multiformats::detail
