// Newline-delimited JSON-RPC over a byte stream: MCP's stdio transport, and
// /mcp/1.0.0 over a libp2p stream. One compact JSON message per line; lines
// are bounded (a longer one is answered with -32600 and skipped).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "agentp2p/agent/mcp/transport.hpp"
#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::mcp {

struct line_config {
  std::size_t max_line = 4 * 1024 * 1024;
  // After close(): how long to wait for the peer to close its side.
  std::chrono::milliseconds linger{std::chrono::seconds(2)};
  // Writing one message (a peer that stops reading holds our flow-control window).
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
};

std::unique_ptr<transport> make_line_transport(std::shared_ptr<core::byte_stream> stream, line_config cfg = {});

// stdin/stdout (or any two file descriptors: pipes, sockets, ttys) as a byte
// stream, for `agentp2p mcp` and the stdio test server. The descriptors are
// duplicated, so closing the stream leaves the originals alone; close_write
// closes our duplicate of the output.
std::shared_ptr<core::byte_stream> make_fd_stream(executor ex, int in_fd, int out_fd);

}  // namespace agentp2p::mcp
