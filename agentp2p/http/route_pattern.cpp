#include "agentp2p/http/route_pattern.hpp"

#include <stdexcept>

#include "agentp2p/http/message.hpp"

namespace agentp2p::http {

namespace {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  if (!p.empty() && p.front() == '/') p.remove_prefix(1);
  while (true) {
    auto slash = p.find('/');
    out.push_back(p.substr(0, slash));
    if (slash == std::string_view::npos) break;
    p.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

route_pattern::route_pattern(std::string_view pattern) : text_(pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " + text_);
  std::string_view p = pattern;
  if (p.size() >= 2 && p.substr(p.size() - 2) == "/*") {
    prefix_ = true;
    p.remove_suffix(2);
  } else if (p == "/*") {
    prefix_ = true;
    p = "";
  }
  int literal_chars = 0;
  int params = 0;
  if (!p.empty()) {
    for (auto s : split_path(p)) {
      segment seg;
      if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
        seg.param = std::string(s.substr(1, s.size() - 2));
        if (seg.param.empty()) throw std::invalid_argument("empty parameter name in route pattern " + text_);
        ++params;
      } else {
        if (s.find_first_of("{}*") != std::string_view::npos)
          throw std::invalid_argument("'{', '}' and '*' must form whole segments in route pattern " + text_);
        seg.literal = std::string(s);
        literal_chars += static_cast<int>(s.size()) + 1;
      }
      segments_.push_back(std::move(seg));
    }
  }
  // Exact literal routes beat parameter routes, which beat prefixes.
  int kind = prefix_ ? 0 : (params ? 1 : 2);
  specificity_ = kind * 1'000'000 + literal_chars * 100 - params;
}

std::optional<std::vector<std::pair<std::string, std::string>>> route_pattern::match(std::string_view raw_path) const {
  std::vector<std::pair<std::string, std::string>> params;
  if (segments_.empty()) {
    if (!prefix_) return raw_path == "/" || raw_path.empty() ? std::optional(params) : std::nullopt;
    auto rest = percent_decode(raw_path.empty() ? raw_path : raw_path.substr(1));
    if (!rest) return std::nullopt;
    params.emplace_back("*", std::move(*rest));
    return params;
  }
  std::string_view p = raw_path;
  if (p.empty() || p.front() != '/') return std::nullopt;
  p.remove_prefix(1);
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    auto slash = p.find('/');
    std::string_view s = p.substr(0, slash);
    const auto& seg = segments_[i];
    if (seg.param.empty()) {
      if (s != seg.literal) return std::nullopt;
    } else {
      if (s.empty()) return std::nullopt;
      auto v = percent_decode(s);
      if (!v) return std::nullopt;
      params.emplace_back(seg.param, std::move(*v));
    }
    bool last = i + 1 == segments_.size();
    if (slash == std::string_view::npos) {
      if (!last) return std::nullopt;
      // "/static" matches "/static/*" with an empty rest.
      if (prefix_) params.emplace_back("*", std::string());
      return params;
    }
    p.remove_prefix(slash + 1);
    if (last) {
      if (!prefix_) {
        // A trailing slash is tolerated on exact routes ("/a/" == "/a").
        if (p.empty()) return params;
        return std::nullopt;
      }
      auto rest = percent_decode(p);
      if (!rest) return std::nullopt;
      params.emplace_back("*", std::move(*rest));
      return params;
    }
  }
  return std::nullopt;
}

}  // namespace agentp2p::http
