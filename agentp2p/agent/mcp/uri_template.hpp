// Matching URIs against RFC 6570 templates of the simple kinds resource
// templates use: "{var}" (one or more characters, no '/', '?' or '#') and
// "{+var}" (one or more of anything). No expansion, no operators beyond '+'.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/result.hpp"

namespace agentp2p::mcp {

class uri_template {
 public:
  // errc::invalid_argument for an unbalanced brace, an empty or unsupported variable.
  static result<uri_template> parse(std::string_view text);
  // The variables when `uri` matches (URIs over 4096 bytes never match).
  std::optional<std::map<std::string, std::string>> match(std::string_view uri) const;
  const std::string& text() const noexcept { return text_; }

 private:
  struct part {
    bool variable = false;
    bool reserved = false;  // {+var}
    std::string text;       // literal text or variable name
  };
  bool match_from(std::size_t part, std::string_view uri, std::size_t pos,
                  std::map<std::string, std::string>& vars) const;
  std::string text_;
  std::vector<part> parts_;
};

}  // namespace agentp2p::mcp
