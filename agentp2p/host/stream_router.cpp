#include "agentp2p/host/stream_router.hpp"

#include <algorithm>
#include <charconv>

namespace agentp2p::host {

namespace {

// Splits "/name/1.2.3" into ("/name/", 1); false when the last segment is not a version.
bool split_version(std::string_view id, std::string_view& base, unsigned& major) {
  auto slash = id.rfind('/');
  if (slash == std::string_view::npos || slash + 1 >= id.size()) return false;
  auto version = id.substr(slash + 1);
  auto dot = version.find('.');
  auto major_text = version.substr(0, dot);
  auto [ptr, ec] = std::from_chars(major_text.data(), major_text.data() + major_text.size(), major);
  if (ec != std::errc{} || ptr != major_text.data() + major_text.size()) return false;
  base = id.substr(0, slash + 1);
  return true;
}

}  // namespace

protocol_matcher semver_matcher(std::string id) {
  return [id = std::move(id)](std::string_view proposed) {
    std::string_view base_a, base_b;
    unsigned major_a = 0, major_b = 0;
    return split_version(id, base_a, major_a) && split_version(proposed, base_b, major_b) && base_a == base_b &&
           major_a == major_b;
  };
}

protocol_matcher prefix_matcher(std::string prefix) {
  return [prefix = std::move(prefix)](std::string_view proposed) { return proposed.starts_with(prefix); };
}

void stream_router::add(std::string id, stream_handler handler, protocol_matcher match) {
  remove(id);
  routes_.push_back({std::move(id), std::move(handler), std::move(match)});
}

bool stream_router::remove(std::string_view id) {
  auto it = std::find_if(routes_.begin(), routes_.end(), [&](const route& r) { return r.id == id; });
  if (it == routes_.end()) return false;
  routes_.erase(it);
  return true;
}

const stream_handler* stream_router::find(std::string_view proposed) const {
  for (const auto& r : routes_)
    if (r.id == proposed) return &r.handler;
  for (const auto& r : routes_)
    if (r.match && r.match(proposed)) return &r.handler;
  return nullptr;
}

std::vector<std::string> stream_router::protocols() const {
  std::vector<std::string> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_) out.push_back(r.id);
  return out;
}

}  // namespace agentp2p::host
