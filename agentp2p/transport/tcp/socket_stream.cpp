#include "agentp2p/transport/tcp/socket_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace agentp2p::tcp {

agentp2p::error socket_error(const boost::system::error_code& ec, std::string_view context) {
  namespace ae = asio::error;
  std::string msg(context);
  if (ec == ae::eof) return make_error(errc::end_of_stream, msg + ": connection closed by peer");
  if (ec == ae::connection_reset || ec == ae::broken_pipe || ec == ae::connection_aborted)
    return make_error(errc::reset, msg + ": " + ec.message());
  if (ec == ae::operation_aborted) return make_error(errc::cancelled, msg + ": operation cancelled");
  if (ec == ae::connection_refused) return make_error(errc::connection_refused, msg + ": connection refused");
  if (ec == ae::timed_out) return make_error(errc::timeout, msg + ": " + ec.message());
  return make_error(errc::io_error, msg + ": " + ec.message());
}

traffic_counters& traffic() {
  static traffic_counters counters;
  return counters;
}

namespace {

class socket_stream final : public core::byte_stream {
 public:
  explicit socket_stream(asio::ip::tcp::socket s) : socket_(std::move(s)) {
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  ~socket_stream() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  executor get_executor() const override { return const_cast<asio::ip::tcp::socket&>(socket_).get_executor(); }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp read: socket closed");
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf.data(), buf.size()),
                                                     asio::as_tuple(asio::use_awaitable));
    if (n > 0) {
      traffic().bytes_read.fetch_add(n, std::memory_order_relaxed);
      co_return n;
    }
    if (ec) co_return socket_error(ec, "tcp read");
    co_return make_error(errc::end_of_stream, "tcp read: connection closed by peer");
  }

  awaitable<result<void>> write(byte_span data) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp write: socket closed");
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                                              asio::as_tuple(asio::use_awaitable));
    traffic().bytes_written.fetch_add(n, std::memory_order_relaxed);
    if (ec) co_return socket_error(ec, "tcp write");
    co_return ok();
  }

  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp write: socket closed");
    // Gather-write up to 16 buffers in one syscall.
    std::array<asio::const_buffer, 16> bufs;
    std::size_t i = 0;
    while (i < parts.size()) {
      std::size_t k = 0;
      for (; k < bufs.size() && i < parts.size(); ++i) bufs[k++] = asio::buffer(parts[i].data(), parts[i].size());
      auto [ec, n] = co_await asio::async_write(socket_, std::span(bufs.data(), k), asio::as_tuple(asio::use_awaitable));
      traffic().bytes_written.fetch_add(n, std::memory_order_relaxed);
      if (ec) co_return socket_error(ec, "tcp write");
    }
    co_return ok();
  }

  awaitable<result<void>> close_write() override {
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec && ec != asio::error::not_connected) co_return socket_error(ec, "tcp shutdown");
    co_return ok();
  }

  void reset() override {
    boost::system::error_code ignored;
    // SO_LINGER 0 makes close() send RST, so the remote learns at once.
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    socket_.close(ignored);
  }

 private:
  asio::ip::tcp::socket socket_;
};

}  // namespace

std::unique_ptr<core::byte_stream> make_socket_stream(asio::ip::tcp::socket socket) {
  return std::make_unique<socket_stream>(std::move(socket));
}

}  // namespace agentp2p::tcp
