#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/agent/mcp/transport.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

namespace {

// One direction: messages waiting to be received, and who waits for them.
struct mailbox {
  std::deque<json::value> messages;
  bool closed = false;
  asio::steady_timer* waiter = nullptr;
  void wake() {
    if (waiter) waiter->cancel();
  }
};

struct wires {
  mailbox to_a, to_b;
};

class memory_transport final : public transport {
 public:
  memory_transport(executor ex, std::shared_ptr<wires> w, bool is_a) : ex_(std::move(ex)), wires_(std::move(w)), a_(is_a) {}
  ~memory_transport() override { shut(); }

  executor get_executor() const override { return ex_; }

  awaitable<result<json::value>> receive() override {
    auto w = wires_;
    mailbox& in = a_ ? w->to_a : w->to_b;
    while (in.messages.empty() && !in.closed) {
      asio::steady_timer t(ex_, asio::steady_timer::time_point::max());
      in.waiter = &t;
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      in.waiter = nullptr;
      // Woken without news: our own coroutine was cancelled.
      if (in.messages.empty() && !in.closed) co_return make_error(errc::cancelled, "receive cancelled");
    }
    if (in.messages.empty()) co_return make_error(errc::end_of_stream, "the other end closed");
    auto m = std::move(in.messages.front());
    in.messages.pop_front();
    co_return m;
  }

  awaitable<result<void>> send(const json::value& message, const json::value&) override {
    mailbox& out = a_ ? wires_->to_b : wires_->to_a;
    if (out.closed || sent_closed_) co_return make_error(errc::closed, "transport closed");
    out.messages.push_back(message);
    out.wake();
    co_return ok();
  }

  awaitable<void> close() override {
    shut();
    co_return;
  }

 private:
  void shut() {
    if (sent_closed_) return;
    sent_closed_ = true;
    mailbox& out = a_ ? wires_->to_b : wires_->to_a;
    out.closed = true;
    out.wake();
  }

  executor ex_;
  std::shared_ptr<wires> wires_;
  bool a_;
  bool sent_closed_ = false;
};

}  // namespace

std::pair<std::unique_ptr<transport>, std::unique_ptr<transport>> make_memory_pair(executor ex) {
  auto w = std::make_shared<wires>();
  return {std::make_unique<memory_transport>(ex, w, true), std::make_unique<memory_transport>(ex, w, false)};
}

}  // namespace agentp2p::mcp
