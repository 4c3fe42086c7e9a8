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

// Writes first try the socket directly (non-blocking) and finish without a
// trip through the event loop when the kernel takes all the bytes; reads do
// the same while the socket has data left over from the last read (which
// filled the caller's buffer). Asio would post even an immediately
// completed operation's continuation to the event loop. After max_inline
// direct completions in a row an operation goes through the event loop
// anyway, so a busy connection cannot starve the others.
class socket_stream final : public core::byte_stream {
 public:
  explicit socket_stream(asio::ip::tcp::socket s) : socket_(std::move(s)) {
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    socket_.non_blocking(true, ignored);
  }
  ~socket_stream() override {
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

  executor get_executor() const override { return const_cast<asio::ip::tcp::socket&>(socket_).get_executor(); }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp read: socket closed");
    boost::system::error_code ec;
    std::size_t n = 0;
    // A socket the last read emptied is probably still empty: try no recv
    // that would fail, go to the reactor (whose first attempt is the same
    // non-blocking recv); otherwise read directly, inline.
    bool direct = !drained_ && inline_budget();
    if (direct) n = socket_.read_some(asio::buffer(buf.data(), buf.size()), ec);
    if (!direct || ec == asio::error::would_block || ec == asio::error::try_again) {
      inline_ = 0;
      std::tie(ec, n) = co_await socket_.async_read_some(asio::buffer(buf.data(), buf.size()),
                                                         asio::as_tuple(asio::use_awaitable));
    }
    drained_ = n < buf.size();
    if (n > 0) {
      traffic().bytes_read.fetch_add(n, std::memory_order_relaxed);
      co_return n;
    }
    if (ec && ec != asio::error::eof) co_return socket_error(ec, "tcp read");
    co_return make_error(errc::end_of_stream, "tcp read: connection closed by peer");
  }

  awaitable<result<void>> write(byte_span data) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp write: socket closed");
    boost::system::error_code ec;
    std::size_t n = 0;
    if (inline_budget()) {
      n = socket_.write_some(asio::buffer(data.data(), data.size()), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
      if (ec) co_return socket_error(ec, "tcp write");
      if (n == data.size()) {
        traffic().bytes_written.fetch_add(n, std::memory_order_relaxed);
        co_return ok();
      }
    }
    inline_ = 0;
    auto [wec, wn] = co_await asio::async_write(socket_, asio::buffer(data.data() + n, data.size() - n),
                                                asio::as_tuple(asio::use_awaitable));
    if (wec) co_return socket_error(wec, "tcp write");
    traffic().bytes_written.fetch_add(data.size(), std::memory_order_relaxed);
    co_return ok();
  }

  awaitable<result<void>> write_v(std::span<const byte_span> parts) override {
    if (!socket_.is_open()) co_return make_error(errc::reset, "tcp write: socket closed");
    // Gather-write up to 16 buffers in one syscall.
    std::array<asio::const_buffer, 16> bufs;
    std::size_t i = 0;
    while (i < parts.size()) {
      std::size_t k = 0, total = 0;
      for (; k < bufs.size() && i < parts.size(); ++i) {
        bufs[k++] = asio::buffer(parts[i].data(), parts[i].size());
        total += parts[i].size();
      }
      std::size_t done = 0;
      if (inline_budget()) {
        boost::system::error_code ec;
        done = socket_.write_some(std::span(bufs.data(), k), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
        if (ec) co_return socket_error(ec, "tcp write");
        if (done == total) {
          traffic().bytes_written.fetch_add(total, std::memory_order_relaxed);
          continue;
        }
      }
      inline_ = 0;
      // The rest: skip what the direct attempt wrote.
      std::size_t first = 0;
      while (done >= bufs[first].size()) done -= bufs[first++].size();
      bufs[first] += done;
      auto [ec, n] = co_await asio::async_write(socket_, std::span(bufs.data() + first, k - first),
                                                asio::as_tuple(asio::use_awaitable));
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
  static constexpr int max_inline = 16;
  bool inline_budget() noexcept { return ++inline_ <= max_inline; }

  asio::ip::tcp::socket socket_;
  bool drained_ = true;  // the last read got less than asked for: the socket is likely empty
  int inline_ = 0;       // direct completions in a row
};

}  // namespace

std::unique_ptr<core::byte_stream> make_socket_stream(asio::ip::tcp::socket socket) {
  return std::make_unique<socket_stream>(std::move(socket));
}

}  // namespace agentp2p::tcp
