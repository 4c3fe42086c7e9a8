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
#include <vector>

#include "agentp2p/base/bytes.hpp"

namespace agentp2p::yamux {

// Blocks for full-size Data frames, kept by the connection for its streams:
// a bulk transfer then takes and returns the same few blocks instead of
// allocating and freeing 64 KiB per frame (which costs page faults each time
// the allocator trims and regrows the heap). At most max_free blocks are
// kept, so the pool's memory is bounded.
class chunk_pool {
 public:
  static constexpr std::size_t block_size = 64 * 1024;
  explicit chunk_pool(std::size_t max_free) : max_free_(max_free) {}

  std::unique_ptr<std::uint8_t[]> take();
  void give(std::unique_ptr<std::uint8_t[]> block);
  std::size_t free_blocks() const noexcept { return free_.size(); }
  void clear() noexcept { free_.clear(); }

 private:
  std::size_t max_free_;
  std::vector<std::unique_ptr<std::uint8_t[]>> free_;
};

class recv_buffer {
 public:
  // Large payloads (up to chunk_pool::block_size) use blocks of `pool` when
  // given; the pool must outlive the buffer.
  explicit recv_buffer(chunk_pool* pool = nullptr) : pool_(pool) {}
  ~recv_buffer() { clear(); }
  recv_buffer(const recv_buffer&) = delete;
  recv_buffer& operator=(const recv_buffer&) = delete;

  // Payloads at least this large get a chunk of their own; smaller ones are
  // appended into chunks of this capacity.
  static constexpr std::size_t chunk_capacity = 16 * 1024;
  // A stream's first chunk is small: most streams carry one short request or
  // reply, and a 16 KiB allocation per stream made the allocator consolidate
  // its free lists (a tenth of a stream-heavy server's CPU went to malloc).
  static constexpr std::size_t first_chunk_capacity = 1024;

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
    bool pooled = false;
  };
  void drop_front();

  chunk_pool* pool_;
  std::deque<chunk> chunks_;
  std::size_t size_ = 0;
  std::size_t prepared_ = 0;
};

}  // namespace agentp2p::yamux
