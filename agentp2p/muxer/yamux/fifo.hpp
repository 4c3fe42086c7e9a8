// A first-in first-out queue that holds no memory while empty. std::deque
// allocates a map and a 512-byte node even when empty, and every idle
// connection has two queues (control frames and data requests).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace agentp2p::yamux {

template <class T>
class fifo {
 public:
  bool empty() const noexcept { return head_ == items_.size(); }
  std::size_t size() const noexcept { return items_.size() - head_; }
  T& front() noexcept { return items_[head_]; }
  auto begin() noexcept { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() noexcept { return items_.end(); }

  void push_back(const T& v) { items_.push_back(v); }

  void pop_front() noexcept {
    ++head_;
    if (empty()) clear();
  }

  // Removes one element (rare: a withdrawn request).
  void erase(typename std::vector<T>::iterator it) {
    items_.erase(it);
    if (empty()) clear();
  }

  // Emptied: the storage goes unless it is small (a busy connection keeps
  // reusing a few slots).
  void clear() noexcept {
    items_.clear();
    head_ = 0;
    if (items_.capacity() > keep) std::vector<T>().swap(items_);
  }

 private:
  static constexpr std::size_t keep = 8;
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace agentp2p::yamux
