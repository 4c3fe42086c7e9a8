// A reliable, ordered, bidirectional byte stream: a TCP socket, a secured
// channel, or a muxed stream. Every layer of the stack consumes and produces
// this one interface, so the cost is one virtual call per read/write (never
// per byte).
//
// Threading: a stream and the connection it belongs to are used from one
// executor (the host's); no operation may be started from another thread.
// At most one read and one write may be outstanding at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::core {

class byte_stream {
 public:
  virtual ~byte_stream() = default;

  virtual executor get_executor() const = 0;

  // Reads between 1 and buf.size() bytes. errc::end_of_stream once the
  // remote has closed its write side and all data was read; errc::reset
  // when the stream was aborted.
  virtual awaitable<result<std::size_t>> read_some(mutable_byte_span buf) = 0;

  // Writes all of `data`; completes when the bytes are handed to the layer
  // below (bounded buffering: it waits for flow-control credit instead of
  // queueing without limit).
  virtual awaitable<result<void>> write(byte_span data) = 0;

  // Writes `parts` as if concatenated; framing layers override it to build
  // one frame (one encryption, one syscall) instead of several.
  virtual awaitable<result<void>> write_v(std::span<const byte_span> parts);

  // Half-close: no more writes from us; reads continue until end_of_stream.
  virtual awaitable<result<void>> close_write() = 0;

  // Aborts both directions at once; pending operations fail with errc::reset.
  virtual void reset() = 0;
};

// Reads exactly buf.size() bytes; end_of_stream before that is decode_error
// ("truncated") unless nothing at all was read.
awaitable<result<void>> read_exact(byte_stream& s, mutable_byte_span buf);

// Reads one unsigned-varint length-prefixed message without reading past it
// (the varint is read byte by byte), so the stream can be handed on to the
// next protocol layer. errc::too_large when the length exceeds max_size.
awaitable<result<bytes>> read_length_prefixed(byte_stream& s, std::size_t max_size);
awaitable<result<void>> write_length_prefixed(byte_stream& s, byte_span payload);

// Reads until end_of_stream, at most max_size bytes (too_large beyond).
awaitable<result<bytes>> read_to_end(byte_stream& s, std::size_t max_size);

// Reads and discards what the peer still sends until end_of_stream: ok, or
// too_large past 64 KiB, or the read's error. No deadline of its own.
awaitable<result<void>> drain(byte_stream& s);

// Ends a request/response stream politely: half-close, then wait at most
// `linger` (discarding at most 64 KiB) for the peer to close its side, and
// reset the stream only if it does not. Dropping a stream the peer still
// writes to resets it, which could discard a reply it has not read yet.
awaitable<void> finish(byte_stream& s, std::chrono::milliseconds linger);

}  // namespace agentp2p::core
