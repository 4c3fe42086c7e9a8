// The time limit of a connection's current read or write, kept by one timer
// per connection. The server's serve loop used with_deadline for each read
// and write (a timer, a parallel group and two coroutine spawns each; four a
// request/response, about a fifth of a small A2A call's instructions). Here
// a deadline is a time stored before the operation: the timer moves only
// when a deadline is set earlier than the one it waits for, and otherwise
// wakes at most once per passed deadline to re-aim at the current one, so a
// keep-alive connection serving requests costs no timer operation per
// request. A deadline that passes shuts the socket down and cancels it: the
// read or write in progress fails (and so does any later one: a composed
// Beast read between two reads is not missed), and the loop closes the
// connection, as it did on a with_deadline timeout.
//
// Threading: the connection's executor only. The pending wait holds the
// owner (the connection) alive; stop() ends it.
#pragma once

#include <chrono>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::http {

class io_deadline {
 public:
  using clock = std::chrono::steady_clock;

  explicit io_deadline(asio::ip::tcp::socket& s) : socket_(s), timer_(s.get_executor(), clock::time_point::max()) {}

  // The next read or write must be done within `limit` (replaces any earlier
  // deadline). `owner` is kept alive while the timer waits.
  template <class Owner>
  void arm(clock::duration limit, const std::shared_ptr<Owner>& owner) {
    due_ = clock::now() + limit;
    if (due_ < timer_.expiry()) {
      timer_.expires_at(due_);  // a pending wait ends (aborted) and re-aims itself
      if (!waiting_) wait(owner);
    }
  }
  // No limit (while a handler runs).
  void disarm() noexcept { due_ = clock::time_point::max(); }
  // A deadline passed (the socket was shut down).
  bool expired() const noexcept { return expired_; }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  void wait(std::shared_ptr<void> owner) {
    waiting_ = true;
    timer_.async_wait([this, owner = std::move(owner)](const boost::system::error_code&) mutable {
      waiting_ = false;
      if (stopped_) return;
      if (due_ != clock::time_point::max() && clock::now() >= due_) {
        expired_ = true;
        due_ = clock::time_point::max();
        boost::system::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.cancel(ignored);
      }
      timer_.expires_at(due_);
      if (due_ != clock::time_point::max()) wait(std::move(owner));
    });
  }

  asio::ip::tcp::socket& socket_;
  asio::steady_timer timer_;
  clock::time_point due_ = clock::time_point::max();
  bool waiting_ = false;
  bool expired_ = false;
  bool stopped_ = false;
};

}  // namespace agentp2p::http
