// A protocol handler for host tests: echoes every byte until the peer
// closes its side, then closes ours.
#pragma once

#include <array>
#include <memory>

#include "agentp2p/host/connection.hpp"

namespace agentp2p::test {

inline awaitable<void> echo_handler(std::shared_ptr<host::stream> s) {
  std::array<std::uint8_t, 4096> buf{};
  for (;;) {
    auto n = co_await s->read_some(buf);
    if (!n) break;
    auto w = co_await s->write(byte_span(buf.data(), *n));
    if (!w) break;
  }
  (void)co_await s->close_write();
}

}  // namespace agentp2p::test
