#include "agentp2p/agent/mcp/uri_template.hpp"

#include <cctype>

namespace agentp2p::mcp {

result<uri_template> uri_template::parse(std::string_view text) {
  uri_template t;
  t.text_ = std::string(text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find('{', pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back(part{false, false, std::string(text.substr(pos))});
      break;
    }
    if (open > pos) t.parts_.push_back(part{false, false, std::string(text.substr(pos, open - pos))});
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) return make_error(errc::invalid_argument, "uri template: unclosed '{'");
    std::string_view name = text.substr(open + 1, close - open - 1);
    part p{true, false, {}};
    if (!name.empty() && name.front() == '+') {
      p.reserved = true;
      name.remove_prefix(1);
    }
    if (name.empty()) return make_error(errc::invalid_argument, "uri template: empty variable");
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
        return make_error(errc::invalid_argument, "uri template: unsupported variable \"" + std::string(name) + "\"");
    if (!t.parts_.empty() && t.parts_.back().variable)
      return make_error(errc::invalid_argument, "uri template: two variables in a row cannot be matched");
    p.text = std::string(name);
    t.parts_.push_back(std::move(p));
    pos = close + 1;
  }
  return t;
}

bool uri_template::match_from(std::size_t i, std::string_view uri, std::size_t pos,
                              std::map<std::string, std::string>& vars) const {
  if (i == parts_.size()) return pos == uri.size();
  const part& p = parts_[i];
  if (!p.variable) {
    if (uri.compare(pos, p.text.size(), p.text) != 0) return false;
    return match_from(i + 1, uri, pos + p.text.size(), vars);
  }
  // A variable is followed by a literal (or nothing): try each place that literal occurs.
  for (std::size_t end = pos + 1; end <= uri.size(); ++end) {
    const char c = uri[end - 1];
    if (!p.reserved && (c == '/' || c == '?' || c == '#')) break;
    if (i + 1 < parts_.size()) {
      const auto& next = parts_[i + 1].text;
      if (uri.compare(end, next.size(), next) != 0) continue;
    } else if (end != uri.size()) {
      continue;
    }
    if (match_from(i + 1, uri, end, vars)) {
      vars[p.text] = std::string(uri.substr(pos, end - pos));
      return true;
    }
  }
  return false;
}

std::optional<std::map<std::string, std::string>> uri_template::match(std::string_view uri) const {
  if (uri.size() > 4096) return std::nullopt;
  std::map<std::string, std::string> vars;
  if (!match_from(0, uri, 0, vars)) return std::nullopt;
  return vars;
}

}  // namespace agentp2p::mcp
