// A stream muxer (Yamux) runs many logical streams over one secured channel.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::core {

class muxed_stream : public byte_stream {
 public:
  virtual std::uint32_t id() const = 0;
};

class muxed_connection {
 public:
  virtual ~muxed_connection() = default;

  using inbound_handler = std::function<void(std::shared_ptr<muxed_stream>)>;

  // Called (on the connection's executor) for each stream the remote opens.
  // Set before run(); the handler must not block.
  virtual void set_inbound_handler(inbound_handler h) = 0;

  // The connection's read loop: the owner co_spawns it once; it returns when
  // the connection ends, with the reason (end_of_stream after a clean close).
  virtual awaitable<result<void>> run() = 0;

  // Opens an outbound stream; errc::limit_exceeded when the stream limit is
  // reached, errc::closed after close/GoAway.
  virtual awaitable<result<std::shared_ptr<muxed_stream>>> open_stream() = 0;

  // Graceful shutdown (GoAway), then closes the underlying channel; open
  // streams are reset.
  virtual awaitable<void> close() = 0;

  virtual bool is_closed() const = 0;
  virtual std::size_t stream_count() const = 0;
};

class muxer {
 public:
  virtual ~muxer() = default;
  // The multistream protocol id, e.g. "/yamux/1.0.0".
  virtual std::string_view protocol_id() const = 0;
  virtual std::shared_ptr<muxed_connection> create(std::unique_ptr<byte_stream> secured, bool is_initiator) = 0;
};

}  // namespace agentp2p::core
