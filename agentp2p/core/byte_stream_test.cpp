#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/core/byte_stream.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;

TEST(byte_stream, length_prefixed_round_trip_and_limit) {
  asio::io_context ctx;
  auto r = test::run<bool>(ctx, [](executor) -> awaitable<bool> {
    auto pair = co_await test::make_stream_pair();
    auto w = co_await core::write_length_prefixed(*pair.a, as_bytes("hello"));
    EXPECT_TRUE(w);
    auto got = co_await core::read_length_prefixed(*pair.b, 1024);
    EXPECT_TRUE(got);
    EXPECT_EQ(as_string_view(*got), "hello");

    bytes big(2000, 'x');
    (void)co_await core::write_length_prefixed(*pair.a, big);
    auto refused = co_await core::read_length_prefixed(*pair.b, 1024);
    EXPECT_FALSE(refused);
    EXPECT_TRUE(refused.error().is(errc::too_large));
    co_return true;
  });
  EXPECT_TRUE(r);
}

TEST(byte_stream, truncated_message_is_an_error_not_a_hang) {
  asio::io_context ctx;
  test::run<bool>(ctx, [](executor) -> awaitable<bool> {
    auto pair = co_await test::make_stream_pair();
    const std::uint8_t partial[] = {10, 'a', 'b'};  // announces 10 bytes, sends 2
    (void)co_await pair.a->write(partial);
    (void)co_await pair.a->close_write();
    auto got = co_await core::read_length_prefixed(*pair.b, 1024);
    EXPECT_FALSE(got);
    EXPECT_TRUE(got.error().is(errc::decode_error)) << got.error().what();
    co_return true;
  });
}

TEST(byte_stream, read_to_end_stops_at_eof) {
  asio::io_context ctx;
  test::run<bool>(ctx, [](executor) -> awaitable<bool> {
    auto pair = co_await test::make_stream_pair();
    (void)co_await pair.a->write(as_bytes("abc"));
    (void)co_await pair.a->close_write();
    auto all = co_await core::read_to_end(*pair.b, 100);
    EXPECT_TRUE(all);
    EXPECT_EQ(as_string_view(*all), "abc");
    co_return true;
  });
}

TEST(byte_stream, read_to_end_enforces_its_limit_exactly) {
  asio::io_context ctx;
  test::run<bool>(ctx, [](executor) -> awaitable<bool> {
    bytes big(100000, 7);
    auto pair = co_await test::make_stream_pair();
    (void)co_await pair.a->write(big);
    (void)co_await pair.a->close_write();
    auto exact = co_await core::read_to_end(*pair.b, big.size());
    EXPECT_TRUE(exact);
    if (exact) {
      EXPECT_EQ(*exact, big);
    }
    auto again = co_await test::make_stream_pair();
    (void)co_await again.a->write(big);
    (void)co_await again.a->close_write();
    auto over = co_await core::read_to_end(*again.b, big.size() - 1);
    EXPECT_FALSE(over);
    if (!over) {
      EXPECT_TRUE(over.error().is(errc::too_large)) << over.error().what();
    }
    co_return true;
  });
}
