// A stream's receive buffer: bytes the peer sent that the reader has not
// consumed yet. Its size is bounded by the receive window (checked by the
// stream), so it needs no limit of its own. Storage is a list of chunks so
// that the read loop can read a large payload straight into place and a
// reader's consumption never moves bytes; small payloads are packed into
// a shared chunk so that a flood of 1-byte frames costs ~1 byte each.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include "agentp2p/base/bytes.hpp"

namespace agentp2p::yamux {

class recv_buffer {
 public:
  // Payloads at least this large get a chunk of their own; smaller ones are
  // appended into chunks of this capacity.
  static constexpr std::size_t chunk_capacity = 16 * 1024;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // Space for the next n incoming bytes, filled by the caller and then
  // published with commit(n) (or dropped by the next prepare()).
  mutable_byte_span prepare(std::size_t n);
  void commit(std::size_t n);

  void append(byte_span data);

  // Moves up to out.size() bytes into out; returns how many.
  std::size_t read(mutable_byte_span out);

  void clear();

 private:
  // [0, read) consumed, [read, end) readable, [end, end + prepared_) being
  // filled (tail chunk only), [.., capacity) free.
  struct chunk {
    std::unique_ptr<std::uint8_t[]> data;  // uninitialised: no memset per frame
    std::size_t capacity = 0;
    std::size_t end = 0;
    std::size_t read = 0;
  };
  std::deque<chunk> chunks_;
  std::size_t size_ = 0;
  std::size_t prepared_ = 0;
};

}  // namespace agentp2p::yamux
