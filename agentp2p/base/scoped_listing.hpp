// scoped_listing: keeps a value (typically a pointer to a frame-local timer
// that others cancel to wake its coroutine) in a container for as long as the
// enclosing scope lives. It is unlisted on every way out of a co_await — also
// when the wait throws operation_aborted because the waiting coroutine was
// already cancelled (Asio checks that before starting the wait), which an
// erase after the co_await would miss, leaving a pointer into a freed frame.
#pragma once

#include <algorithm>
#include <utility>

namespace agentp2p {

template <class Container>
class scoped_listing {
 public:
  using value_type = typename Container::value_type;

  scoped_listing(Container& c, value_type v) : c_(c), v_(std::move(v)) { c_.insert(c_.end(), v_); }
  ~scoped_listing() {
    if (auto it = std::find(c_.begin(), c_.end(), v_); it != c_.end()) c_.erase(it);
  }
  scoped_listing(const scoped_listing&) = delete;
  scoped_listing& operator=(const scoped_listing&) = delete;

 private:
  Container& c_;
  value_type v_;
};

}  // namespace agentp2p
