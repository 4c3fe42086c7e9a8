#include "agentp2p/muxer/yamux/recv_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace agentp2p::yamux {

std::unique_ptr<std::uint8_t[]> chunk_pool::take() {
  if (free_.empty()) return std::make_unique_for_overwrite<std::uint8_t[]>(block_size);
  auto b = std::move(free_.back());
  free_.pop_back();
  return b;
}

void chunk_pool::give(std::unique_ptr<std::uint8_t[]> block) {
  if (free_.size() < max_free_) free_.push_back(std::move(block));
}

void recv_buffer::drop_front() {
  auto& front = chunks_.front();
  if (front.pooled && pool_) pool_->give(std::move(front.data));
  chunks_.pop_front();
}

mutable_byte_span recv_buffer::prepare(std::size_t n) {
  prepared_ = 0;  // an earlier prepare() that was never committed is dropped
  if (n == 0) return {};
  bool fits = !chunks_.empty() && chunks_.back().capacity - chunks_.back().end >= n;
  if (!fits) {
    chunk c;
    if (pool_ && n > chunk_capacity && n <= chunk_pool::block_size) {
      c.capacity = chunk_pool::block_size;
      c.data = pool_->take();
      c.pooled = true;
    } else {
      c.capacity = std::max(n, chunks_.empty() ? first_chunk_capacity : chunk_capacity);
      c.data = std::make_unique_for_overwrite<std::uint8_t[]>(c.capacity);
    }
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
      drop_front();
    } else if (prepared_ == 0) {
      if (front.capacity <= chunk_capacity) front.read = front.end = 0;
      else drop_front();
    }
  }
  return done;
}

void recv_buffer::clear() {
  while (!chunks_.empty()) drop_front();
  size_ = 0;
  prepared_ = 0;
}

}  // namespace agentp2p::yamux
