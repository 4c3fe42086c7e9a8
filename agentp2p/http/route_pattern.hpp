// Route patterns: "/exact", "/api/v1/peers/{id}" (one segment per {name}),
// and "/static/*" (a prefix; the rest of the path is the parameter "*").
// Pure matching, used by the server's router and testable on its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentp2p::http {

class route_pattern {
 public:
  // Throws std::invalid_argument for a malformed pattern (a programming error).
  explicit route_pattern(std::string_view pattern);

  // Decoded path parameters when `raw_path` (not yet percent-decoded) matches.
  std::optional<std::vector<std::pair<std::string, std::string>>> match(std::string_view raw_path) const;

  // Higher is more specific: exact > parameters > prefix, longer literal first.
  int specificity() const noexcept { return specificity_; }
  const std::string& text() const noexcept { return text_; }

 private:
  struct segment {
    std::string literal;  // empty when `param` is set
    std::string param;
  };
  std::string text_;
  std::vector<segment> segments_;
  bool prefix_ = false;
  int specificity_ = 0;
};

}  // namespace agentp2p::http
