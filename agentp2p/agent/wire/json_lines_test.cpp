#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "agentp2p/agent/wire/json_lines.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;

TEST(json_lines, reads_values_skips_blank_lines_and_survives_bad_lines) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    (void)co_await pair.a->write(as_bytes("{\"a\":1}\n\nnot json\n" + std::string(200, 'x') + "\n[2]"));
    (void)co_await pair.a->close_write();
    agent::json_line_reader reader(*pair.b, 100);
    auto first = co_await reader.read();
    EXPECT_TRUE(first);
    if (first) EXPECT_EQ(first->at("a").as_int64(), 1);
    auto bad = co_await reader.read();
    EXPECT_TRUE(!bad && bad.error().is(errc::decode_error));
    auto big = co_await reader.read();
    EXPECT_TRUE(!big && big.error().is(errc::too_large));
    auto last = co_await reader.read();  // unterminated final line
    EXPECT_TRUE(last);
    if (last) EXPECT_EQ(last->as_array().at(0).as_int64(), 2);
    auto eof = co_await reader.read();
    EXPECT_TRUE(!eof && eof.error().is(errc::end_of_stream));
  });
}

TEST(json_lines, write_then_read_round_trip) {
  asio::io_context ctx;
  test::run_void(ctx, [](executor) -> awaitable<void> {
    auto pair = co_await test::make_stream_pair();
    boost::json::value v = boost::json::parse(R"({"id":"1","name":"echo","arguments":{"text":"hi\nthere"}})");
    {
      auto awaited = co_await agent::write_json_line(*pair.a, v);
      EXPECT_TRUE(awaited);
    }
    agent::json_line_reader reader(*pair.b);
    auto got = co_await reader.read();
    EXPECT_TRUE(got);
    if (got) EXPECT_EQ(*got, v);
  });
}
