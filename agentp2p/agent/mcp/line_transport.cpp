#include "agentp2p/agent/mcp/line_transport.hpp"

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/deadline_queue.hpp"

namespace agentp2p::mcp {

namespace json = boost::json;

namespace {

class line_transport final : public transport {
 public:
  line_transport(std::shared_ptr<core::byte_stream> s, line_config cfg)
      : stream_(std::move(s)),
        reader_(*stream_, cfg.max_line),
        cfg_(cfg),
        write_limit_(deadline_queue::create(stream_->get_executor(), deadline_queue::when_idle::keep_timer), *stream_) {}

  executor get_executor() const override { return stream_->get_executor(); }

  awaitable<result<json::value>> receive() override { return reader_.read(); }

  // A write that passes its limit resets the stream (the peer stopped
  // reading: the session ends). The limit is a deadline of this transport's
  // own queue: a timer operation about once per write_timeout, not two
  // system calls and a parallel group per message as with_deadline cost.
  awaitable<result<void>> send(const json::value& message, const json::value&) override {
    return within(write_limit_, cfg_.write_timeout, "writing an MCP message", agent::write_json_line(*stream_, message));
  }

  awaitable<void> close() override { co_await core::finish(*stream_, cfg_.linger); }

 private:
  std::shared_ptr<core::byte_stream> stream_;
  agent::json_line_reader reader_;
  line_config cfg_;
  resetting_deadline<core::byte_stream> write_limit_;
};

class fd_stream final : public core::byte_stream {
 public:
  fd_stream(executor ex, int in_fd, int out_fd) : in_(ex, ::dup(in_fd)), out_(ex, ::dup(out_fd)), ex_(ex) {}

  executor get_executor() const override { return ex_; }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!in_.is_open()) co_return make_error(errc::closed, "input closed");
    auto [ec, n] = co_await in_.async_read_some(asio::buffer(buf.data(), buf.size()),
                                                asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::eof) co_return make_error(errc::end_of_stream, "end of input");
    if (ec) co_return from_system(ec, "reading input");
    co_return n;
  }

  awaitable<result<void>> write(byte_span data) override {
    if (!out_.is_open()) co_return make_error(errc::closed, "output closed");
    auto [ec, n] = co_await asio::async_write(out_, asio::buffer(data.data(), data.size()),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) co_return from_system(ec, "writing output");
    co_return ok();
  }

  awaitable<result<void>> close_write() override {
    boost::system::error_code ec;
    if (out_.is_open()) out_.close(ec);
    co_return ok();
  }

  void reset() override {
    boost::system::error_code ec;
    if (in_.is_open()) in_.close(ec);
    if (out_.is_open()) out_.close(ec);
  }

 private:
  asio::posix::stream_descriptor in_, out_;
  executor ex_;
};

}  // namespace

std::unique_ptr<transport> make_line_transport(std::shared_ptr<core::byte_stream> stream, line_config cfg) {
  return std::make_unique<line_transport>(std::move(stream), cfg);
}

std::shared_ptr<core::byte_stream> make_fd_stream(executor ex, int in_fd, int out_fd) {
  return std::make_shared<fd_stream>(std::move(ex), in_fd, out_fd);
}

}  // namespace agentp2p::mcp
