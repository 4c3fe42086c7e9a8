// Reads the session's input: many small frames per read_some() syscall via
// an internal buffer, while large payloads go straight into their
// destination (one copy fewer).
#pragma once

#include <cstddef>
#include <memory>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::yamux {

class buffered_reader {
 public:
  buffered_reader(core::byte_stream& s, std::size_t capacity);

  // Fills `out` completely. errc::end_of_stream when the stream ends before
  // the first byte; errc::decode_error ("truncated") when it ends part-way.
  awaitable<result<void>> read_exact(mutable_byte_span out);

  // Reads and drops n bytes.
  awaitable<result<void>> skip(std::size_t n);

  // Without waiting (no coroutine frame): the read loop's fast path, since
  // one read usually brings a frame's header and its small payload together.
  std::size_t available() const noexcept { return end_ - begin_; }
  // Fills `out` from what is buffered, or takes nothing and returns false.
  bool try_read(mutable_byte_span out) noexcept {
    if (available() < out.size()) return false;
    take(out);
    return true;
  }
  // Drops n buffered bytes (n <= available()).
  void drop(std::size_t n) noexcept { begin_ += n; }
  // Room behind the buffered bytes (moved to the front first) for the
  // caller to read into; commit() then adds what it read.
  mutable_byte_span space() noexcept;
  void commit(std::size_t n) noexcept { end_ += n; }

 private:
  std::size_t take(mutable_byte_span out) noexcept;
  awaitable<result<std::size_t>> fill();

  core::byte_stream& stream_;
  // Uninitialised: an idle connection's pages stay untouched (not resident).
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t capacity_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace agentp2p::yamux
