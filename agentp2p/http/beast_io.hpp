// Internal: Beast read helpers shared by server.cpp and client.cpp, shaped
// as awaitable<result<…>> so they compose with with_deadline (Beast's HTTP
// reads support terminal cancellation on a plain tcp::socket).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::http {

inline awaitable<result<void>> read_some_into(asio::ip::tcp::socket& s, boost::beast::flat_buffer& b) {
  auto [ec, n] = co_await s.async_read_some(b.prepare(16 * 1024), asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http read");
  b.commit(n);
  co_return ok();
}

template <class Parser>
awaitable<result<void>> read_request_header(asio::ip::tcp::socket& s, boost::beast::flat_buffer& b, Parser& p) {
  auto [ec, n] = co_await boost::beast::http::async_read_header(s, b, p, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http");
  co_return ok();
}

template <class Parser>
awaitable<result<void>> read_request_body(asio::ip::tcp::socket& s, boost::beast::flat_buffer& b, Parser& p) {
  auto [ec, n] = co_await boost::beast::http::async_read(s, b, p, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http");
  co_return ok();
}

template <class Parser>
awaitable<result<std::size_t>> read_message_some(asio::ip::tcp::socket& s, boost::beast::flat_buffer& b, Parser& p) {
  auto [ec, n] = co_await boost::beast::http::async_read_some(s, b, p, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return from_system(ec, "http");
  co_return n;
}

enum class read_failure { header_too_large, body_too_large, malformed, closed };

inline bool is_beast_error(const agentp2p::error& e, boost::beast::http::error which) {
  return e.code == std::error_code(boost::system::error_code(which));
}

// What a failed read means for the answer: 431, 413, 400, or just close.
inline read_failure classify_read_error(const agentp2p::error& e) {
  namespace bh = boost::beast::http;
  if (is_beast_error(e, bh::error::header_limit)) return read_failure::header_too_large;
  if (is_beast_error(e, bh::error::body_limit) || is_beast_error(e, bh::error::buffer_overflow))
    return read_failure::body_too_large;
  if (is_beast_error(e, bh::error::end_of_stream) || is_beast_error(e, bh::error::partial_message))
    return read_failure::closed;
  if (e.code.category() == std::error_code(boost::system::error_code(bh::error::bad_method)).category())
    return read_failure::malformed;
  return read_failure::closed;
}

}  // namespace agentp2p::http
