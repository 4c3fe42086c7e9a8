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

namespace {

// Forwards to another stream and keeps what each write carried.
class recording_stream final : public core::byte_stream {
 public:
  explicit recording_stream(core::byte_stream& inner) : inner_(inner) {}
  executor get_executor() const override { return inner_.get_executor(); }
  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override { return inner_.read_some(buf); }
  awaitable<result<void>> write(byte_span data) override {
    writes.emplace_back(data.begin(), data.end());
    return inner_.write(data);
  }
  awaitable<result<void>> close_write() override { return inner_.close_write(); }
  void reset() override { inner_.reset(); }
  std::vector<bytes> writes;

 private:
  core::byte_stream& inner_;
};

}  // namespace

// The responder's header travels with its answer: one write (a frame and a
// system call on a muxed stream) for a negotiation that succeeds at once,
// and one per answer after that.
TEST(multistream, the_responder_sends_its_header_with_its_first_answer) {
  asio::io_context ctx;
  auto writes = test::run<std::vector<bytes>>(ctx, [&](executor) -> awaitable<std::vector<bytes>> {
    using namespace asio::experimental::awaitable_operators;
    auto pair = co_await test::make_stream_pair();
    recording_stream responder(*pair.b);
    const std::vector<std::string> proposals{"/b/1.0.0", "/a/1.0.0"};
    auto [i, r] = co_await (multistream::select(*pair.a, proposals) &&
                            multistream::handle(responder, [](std::string_view p) { return p == "/a/1.0.0"; }));
    EXPECT_TRUE(i && *i == "/a/1.0.0");
    EXPECT_TRUE(r && *r == "/a/1.0.0");
    co_return responder.writes;
  });
  ASSERT_EQ(writes.size(), 2u);
  bytes header_and_na;
  multistream::append_message(header_and_na, multistream::protocol_id);
  multistream::append_message(header_and_na, "na");
  EXPECT_EQ(writes[0], header_and_na);
  bytes accepted;
  multistream::append_message(accepted, "/a/1.0.0");
  EXPECT_EQ(writes[1], accepted);
}

TEST(multistream, wrong_header_is_protocol_error) {
  bytes raw;
  multistream::append_message(raw, "/multistream/2.0.0");
  auto r = respond_to_raw(raw);
  EXPECT_TRUE(r.error().is(errc::protocol_error));
}

namespace {

// What expect_echo() says when the responder sends `raw` (and then closes).
result<void> echo_of_raw(bytes raw) {
  asio::io_context ctx;
  return test::run<result<void>>(ctx, [&](executor) -> awaitable<result<void>> {
    auto pair = co_await test::make_stream_pair();
    (void)co_await pair.b->write(raw);
    (void)co_await pair.b->close_write();
    co_return co_await multistream::expect_echo(*pair.a, "/praxis/tool/1.0.0");
  });
}

bytes answer(std::string_view header, std::string_view text) {
  bytes out;
  multistream::append_message(out, header);
  multistream::append_message(out, text);
  return out;
}

}  // namespace

TEST(multistream, lazy_select_accepts_the_echo_and_reports_na_as_unsupported) {
  EXPECT_TRUE(echo_of_raw(answer(multistream::protocol_id, "/praxis/tool/1.0.0")));
  auto na = echo_of_raw(answer(multistream::protocol_id, "na"));
  ASSERT_FALSE(na);
  EXPECT_TRUE(na.error().is(errc::unsupported));
  EXPECT_EQ(na.error().message, "multistream: the peer does not support '/praxis/tool/1.0.0'");
  auto other = echo_of_raw(answer(multistream::protocol_id, "/other/1.0.0"));
  ASSERT_FALSE(other);
  EXPECT_TRUE(other.error().is(errc::protocol_error)) << other.error().what();
  auto header = echo_of_raw(answer("/multistream/2.0.0", "/praxis/tool/1.0.0"));
  ASSERT_FALSE(header);
  EXPECT_TRUE(header.error().is(errc::protocol_error)) << header.error().what();
}

TEST(multistream, lazy_select_bounds_and_checks_the_answer) {
  bytes huge;
  multistream::append_message(huge, multistream::protocol_id);
  uvarint::append(huge, 100000);  // announced, never sent: refused before reading
  auto big = echo_of_raw(huge);
  ASSERT_FALSE(big);
  EXPECT_TRUE(big.error().is(errc::too_large)) << big.error().what();
  bytes truncated;
  multistream::append_message(truncated, multistream::protocol_id);
  auto ended = echo_of_raw(truncated);  // the peer closed after its header
  EXPECT_FALSE(ended);
  bytes no_newline;
  multistream::append_message(no_newline, multistream::protocol_id);
  uvarint::append(no_newline, 2);
  no_newline.push_back('n');
  no_newline.push_back('a');
  auto bad = echo_of_raw(no_newline);
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(errc::protocol_error)) << bad.error().what();
}
