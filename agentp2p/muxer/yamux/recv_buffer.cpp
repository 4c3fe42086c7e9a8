#include "agentp2p/muxer/yamux/recv_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace agentp2p::yamux {

mutable_byte_span recv_buffer::prepare(std::size_t n) {
  prepared_ = 0;  // an earlier prepare() that was never committed is dropped
  if (n == 0) return {};
  bool fits = !chunks_.empty() && chunks_.back().capacity - chunks_.back().end >= n;
  if (!fits) {
    chunk c;
    c.capacity = std::max(n, chunk_capacity);
    c.data.reset(new std::uint8_t[c.capacity]);
    chunks_.push_back(std::move(c));
  }
  prepared_ = n;
  auto& tail = chunks_.back();
  return {tail.data.get() + tail.end, n};
}

void recv_buffer::commit(std::size_t n) {
  assert(n == prepared_ && !chunks_.empty());
  chunks_.back().end += n;
  size_ += n;
  prepared_ = 0;
}

void recv_buffer::append(byte_span data) {
  auto space = prepare(data.size());
  if (!space.empty()) std::memcpy(space.data(), data.data(), data.size());
  commit(data.size());
}

std::size_t recv_buffer::read(mutable_byte_span out) {
  std::size_t done = 0;
  while (done < out.size() && size_ > 0) {
    auto& front = chunks_.front();
    std::size_t n = std::min(out.size() - done, front.end - front.read);
    std::memcpy(out.data() + done, front.data.get() + front.read, n);
    front.read += n;
    done += n;
    size_ -= n;
    if (front.read < front.end) continue;
    // Drained. The tail may still be taking data (prepared_); a small idle
    // tail is rewound for reuse rather than freed and reallocated per frame.
    if (chunks_.size() > 1) {
      chunks_.pop_front();
    } else if (prepared_ == 0) {
      if (front.capacity <= chunk_capacity) front.read = front.end = 0;
      else chunks_.pop_front();
    }
  }
  return done;
}

void recv_buffer::clear() {
  chunks_.clear();
  size_ = 0;
  prepared_ = 0;
}

}  // namespace agentp2p::yamux
