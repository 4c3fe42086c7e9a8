#include "agentp2p/muxer/yamux/buffered_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace agentp2p::yamux {

buffered_reader::buffered_reader(core::byte_stream& s, std::size_t capacity)
    : stream_(s), buf_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity)), capacity_(capacity) {}

std::size_t buffered_reader::take(mutable_byte_span out) noexcept {
  std::size_t n = std::min(out.size(), end_ - begin_);
  if (n > 0) std::memcpy(out.data(), buf_.get() + begin_, n);
  begin_ += n;
  return n;
}

mutable_byte_span buffered_reader::space() noexcept {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  return mutable_byte_span(buf_.get() + end_, capacity_ - end_);
}

awaitable<result<std::size_t>> buffered_reader::fill() {
  begin_ = end_ = 0;
  AP_CO_TRY(auto n, co_await stream_.read_some(mutable_byte_span(buf_.get(), capacity_)));
  end_ = n;
  co_return n;
}

awaitable<result<void>> buffered_reader::read_exact(mutable_byte_span out) {
  std::size_t got = take(out);
  while (got < out.size()) {
    auto rest = out.subspan(got);
    // Big remainders bypass the buffer; small ones refill it so the next
    // headers come from memory.
    bool direct = rest.size() >= capacity_ / 2;
    // (No co_await inside conditions or ?: here: GCC 12 miscompiles them.)
    result<std::size_t> n = std::size_t{0};
    if (direct) n = co_await stream_.read_some(rest);
    else n = co_await fill();
    if (!n) {
      if (got > 0 && n.error().is(errc::end_of_stream))
        co_return make_error(errc::decode_error, "yamux: connection ended after " + std::to_string(got) +
                                                     " of " + std::to_string(out.size()) + " bytes of a frame");
      co_return std::move(n).error();
    }
    got += direct ? *n : take(rest);
  }
  co_return ok();
}

awaitable<result<void>> buffered_reader::skip(std::size_t n) {
  while (n > 0) {
    if (begin_ == end_) {
      auto got = co_await fill();
      if (!got) {
        if (got.error().is(errc::end_of_stream))
          co_return make_error(errc::decode_error, "yamux: connection ended inside a frame");
        co_return std::move(got).error();
      }
    }
    std::size_t k = std::min(n, end_ - begin_);
    begin_ += k;
    n -= k;
  }
  co_return ok();
}

}  // namespace agentp2p::yamux
