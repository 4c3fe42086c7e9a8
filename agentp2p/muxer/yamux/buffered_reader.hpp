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
