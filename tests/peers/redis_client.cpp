#include "redis_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace agentp2p::test {

namespace {
constexpr auto use = asio::as_tuple(asio::use_awaitable);
}

awaitable<result<void>> redis_client::connect(const std::string& host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) co_return make_error(errc::invalid_argument, "redis_addr must be host:port");
  asio::ip::tcp::resolver resolver(socket_.get_executor());
  auto [ec, endpoints] = co_await resolver.async_resolve(host_port.substr(0, colon), host_port.substr(colon + 1), use);
  if (ec) co_return from_system(ec, "resolve " + host_port);
  auto [ec2, ep] = co_await asio::async_connect(socket_, endpoints, use);
  if (ec2) co_return from_system(ec2, "connect to redis at " + host_port);
  co_return ok();
}

// RESP encoding of one command (a plain function: GCC 12 mishandles braced
// lists inside coroutine bodies).
template <class... Args>
std::string command(const Args&... args) {
  std::string out = "*" + std::to_string(sizeof...(args)) + "\r\n";
  ((out += "$" + std::to_string(std::string_view(args).size()) + "\r\n" + std::string(args) + "\r\n"), ...);
  return out;
}

awaitable<result<void>> redis_client::send(std::string out) {
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), use);
  if (ec) co_return from_system(ec, "redis write");
  co_return ok();
}

awaitable<result<std::string>> redis_client::read_line() {
  auto [ec, n] = co_await asio::async_read_until(socket_, in_, "\r\n", use);
  if (ec) co_return from_system(ec, "redis read");
  std::string line(asio::buffers_begin(in_.data()), asio::buffers_begin(in_.data()) + static_cast<std::ptrdiff_t>(n - 2));
  in_.consume(n);
  co_return line;
}

awaitable<result<std::optional<std::string>>> redis_client::read_bulk(const std::string& header) {
  if (header.empty() || header[0] != '$') co_return make_error(errc::protocol_error, "redis: expected bulk, got " + header);
  long len = std::stol(header.substr(1));
  if (len < 0) co_return std::optional<std::string>{};
  if (len > 1 << 20) co_return make_error(errc::too_large, "redis: bulk string too large");
  std::size_t need = static_cast<std::size_t>(len) + 2;
  if (in_.size() < need) {
    auto [ec, n] = co_await asio::async_read(socket_, in_, asio::transfer_at_least(need - in_.size()), use);
    if (ec) co_return from_system(ec, "redis read");
  }
  std::string value(asio::buffers_begin(in_.data()), asio::buffers_begin(in_.data()) + len);
  in_.consume(need);
  co_return std::optional<std::string>(std::move(value));
}

awaitable<result<void>> redis_client::rpush(const std::string& key, const std::string& value) {
  AP_CO_TRYV(co_await send(command("RPUSH", key, value)));
  AP_CO_TRY(auto reply, co_await read_line());
  if (reply.empty() || reply[0] != ':') co_return make_error(errc::protocol_error, "redis RPUSH failed: " + reply);
  co_return ok();
}

awaitable<result<std::optional<std::string>>> redis_client::blpop(const std::string& key, std::chrono::seconds timeout) {
  AP_CO_TRYV(co_await send(command("BLPOP", key, std::to_string(timeout.count()))));
  AP_CO_TRY(auto header, co_await read_line());
  if (header == "*-1" || header == "$-1") co_return std::optional<std::string>{};
  if (header != "*2") co_return make_error(errc::protocol_error, "redis BLPOP: unexpected reply " + header);
  AP_CO_TRY(auto key_header, co_await read_line());
  AP_CO_TRY(auto key_value, co_await read_bulk(key_header));
  AP_CO_TRY(auto value_header, co_await read_line());
  co_return co_await read_bulk(value_header);
}

}  // namespace agentp2p::test
