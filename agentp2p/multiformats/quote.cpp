#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats::detail {

// Error messages carry pieces of untrusted input into logs: keep them short and
// free of control characters so a peer cannot forge log lines.
std::string quote(std::string_view text) {
  constexpr std::size_t max_shown = 64;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < max_shown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (text.size() > max_shown) out += "...";
  out.push_back('\'');
  return out;
}

}  // namespace agentp2p::multiformats::detail
