// Two byte_streams connected over real loopback TCP.
#pragma once

#include <memory>
#include <utility>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::test {

struct stream_pair {
  std::unique_ptr<core::byte_stream> a;  // the dialer's end
  std::unique_ptr<core::byte_stream> b;  // the listener's end
};

awaitable<stream_pair> make_stream_pair();

}  // namespace agentp2p::test
