// Maps protocol ids proposed by remote peers to handlers: exact ids, and
// matchers (prefix or semantic-version compatible ids).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::host {

class stream;
using stream_handler = std::function<awaitable<void>(std::shared_ptr<stream>)>;
using protocol_matcher = std::function<bool(std::string_view proposed)>;

// Accepts "/name/X.Y.Z" when X equals the major version of `id` ("/name/1.2.0").
protocol_matcher semver_matcher(std::string id);
// Accepts any id that starts with `prefix`.
protocol_matcher prefix_matcher(std::string prefix);

class stream_router {
 public:
  // Replaces an existing handler for the same id.
  void add(std::string id, stream_handler handler, protocol_matcher match = {});
  bool remove(std::string_view id);
  // The handler for a proposed id: exact match first, then matchers in
  // registration order. nullptr when nothing fits.
  const stream_handler* find(std::string_view proposed) const;
  std::vector<std::string> protocols() const;

 private:
  struct route {
    std::string id;
    stream_handler handler;
    protocol_matcher match;
  };
  std::vector<route> routes_;
};

}  // namespace agentp2p::host
