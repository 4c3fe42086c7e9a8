#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "agentp2p/base/uvarint.hpp"
#include "agentp2p/multistream/multistream.hpp"
#include "tests/support/run.hpp"
#include "tests/support/stream_pair.hpp"

using namespace agentp2p;

namespace {

struct outcome {
  result<std::string> initiator = make_error(errc::ok, "");
  result<std::string> responder = make_error(errc::ok, "");
};

outcome negotiate(std::vector<std::string> proposals, std::vector<std::string> supported) {
  asio::io_context ctx;
  return test::run<outcome>(ctx, [&](executor) -> awaitable<outcome> {
    using namespace asio::experimental::awaitable_operators;
    auto pair = co_await test::make_stream_pair();
    auto supports = [&](std::string_view p) {
      return std::find(supported.begin(), supported.end(), p) != supported.end();
    };
    outcome o;
    auto [i, r] = co_await (multistream::select(*pair.a, proposals) && multistream::handle(*pair.b, supports));
    o.initiator = std::move(i);
    o.responder = std::move(r);
    co_return o;
  });
}

// Sends raw bytes as the initiator and returns what the responder's handle() says.
result<std::string> respond_to_raw(bytes raw, multistream::config cfg = {}) {
  asio::io_context ctx;
  return test::run<result<std::string>>(ctx, [&](executor) -> awaitable<result<std::string>> {
    auto pair = co_await test::make_stream_pair();
    (void)co_await pair.a->write(raw);
    (void)co_await pair.a->close_write();
    co_return co_await multistream::handle(*pair.b, [](std::string_view) { return false; }, {}, cfg);
  });
}

bytes header_then(std::string_view payload_with_prefix_raw) {
  bytes out;
  multistream::append_message(out, multistream::protocol_id);
  out.insert(out.end(), payload_with_prefix_raw.begin(), payload_with_prefix_raw.end());
  return out;
}

}  // namespace

TEST(multistream, agrees_on_first_supported_protocol) {
  auto o = negotiate({"/noise", "/plaintext/2.0.0"}, {"/noise"});
  ASSERT_TRUE(o.initiator) << o.initiator.error().what();
  EXPECT_EQ(*o.initiator, "/noise");
  EXPECT_EQ(*o.responder, "/noise");
}

TEST(multistream, falls_back_after_na) {
  auto o = negotiate({"/a/2.0.0", "/a/1.0.0"}, {"/a/1.0.0"});
  ASSERT_TRUE(o.initiator) << o.initiator.error().what();
  EXPECT_EQ(*o.initiator, "/a/1.0.0");
}

TEST(multistream, none_supported_is_unsupported_naming_the_protocols) {
  asio::io_context ctx;
  auto err = test::run<std::string>(ctx, [&](executor) -> awaitable<std::string> {
    auto pair = co_await test::make_stream_pair();
    std::vector<std::string> proposals{"/x/1", "/y/1"};
    // The responder owns its end: it is still reading when this coroutine
    // returns (ASan: a stream destroyed under its pending read), and ends
    // when our end closes.
    auto responder = [](std::unique_ptr<core::byte_stream> b) -> awaitable<void> {
      (void)co_await multistream::handle(*b, [](std::string_view) { return false; });
    };
    asio::co_spawn(co_await asio::this_coro::executor, responder(std::move(pair.b)), asio::detached);
    auto r = co_await multistream::select(*pair.a, proposals);
    EXPECT_TRUE(r.error().is(errc::unsupported));
    co_return r.error().message;
  });
  EXPECT_NE(err.find("/x/1"), std::string::npos);
  EXPECT_NE(err.find("/y/1"), std::string::npos);
}

TEST(multistream, message_without_newline_is_protocol_error) {
  auto r = respond_to_raw(header_then("\x04/abc"));
  EXPECT_TRUE(r.error().is(errc::protocol_error)) << r.error().what();
}

TEST(multistream, overlong_message_is_refused_before_reading_it) {
  bytes raw;
  multistream::append_message(raw, multistream::protocol_id);
  uvarint::append(raw, 100000);  // announces 100 kB
  auto r = respond_to_raw(raw);
  EXPECT_TRUE(r.error().is(errc::too_large)) << r.error().what();
}

TEST(multistream, truncated_varint_and_eof_are_errors_not_hangs) {
  auto r = respond_to_raw(header_then("\x80"));
  EXPECT_FALSE(r);
  auto r2 = respond_to_raw({});
  EXPECT_FALSE(r2);
}

TEST(multistream, endless_unsupported_proposals_are_cut_off) {
  bytes raw;
  multistream::append_message(raw, multistream::protocol_id);
  for (int i = 0; i < 100; ++i) multistream::append_message(raw, "/nope/" + std::to_string(i));
  multistream::config cfg;
  cfg.max_rejections = 5;
  auto r = respond_to_raw(raw, cfg);
  EXPECT_TRUE(r.error().is(errc::limit_exceeded)) << r.error().what();
}

TEST(multistream, wrong_header_is_protocol_error) {
  bytes raw;
  multistream::append_message(raw, "/multistream/2.0.0");
  auto r = respond_to_raw(raw);
  EXPECT_TRUE(r.error().is(errc::protocol_error));
}
