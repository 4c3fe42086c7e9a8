// A byte_stream for fuzz harnesses: serves a fixed input in reads of at most
// `chunk` bytes (yielding between them, so coroutines interleave as on a
// socket), then end_of_stream; records what is written. No sockets, no timers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::fuzzing {

class memory_stream final : public core::byte_stream {
 public:
  memory_stream(executor ex, byte_span input, std::size_t chunk)
      : ex_(std::move(ex)), input_(input), chunk_(std::max<std::size_t>(chunk, 1)) {}

  executor get_executor() const override { return ex_; }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    co_await asio::post(ex_, asio::use_awaitable);
    if (reset_) co_return make_error(errc::reset, "memory: reset");
    if (at_ == input_.size()) co_return make_error(errc::end_of_stream, "memory: end of input");
    auto n = std::min({buf.size(), input_.size() - at_, chunk_});
    std::memcpy(buf.data(), input_.data() + at_, n);
    at_ += n;
    co_return n;
  }

  awaitable<result<void>> write(byte_span data) override {
    if (reset_) co_return make_error(errc::reset, "memory: reset");
    // Bounded, so a harness that loops on writes cannot grow without limit.
    if (written_.size() + data.size() <= max_written) written_.insert(written_.end(), data.begin(), data.end());
    co_return ok();
  }

  awaitable<result<void>> close_write() override { co_return ok(); }
  void reset() override { reset_ = true; }

  const bytes& written() const noexcept { return written_; }
  std::size_t consumed() const noexcept { return at_; }

  static constexpr std::size_t max_written = 1 << 20;

 private:
  executor ex_;
  byte_span input_;
  std::size_t chunk_;
  std::size_t at_ = 0;
  bool reset_ = false;
  bytes written_;
};

}  // namespace agentp2p::fuzzing
