#include <gtest/gtest.h>

#include "agentp2p/multiformats/length_prefixed.hpp"

using namespace agentp2p;
using namespace agentp2p::multiformats;

TEST(length_prefixed, round_trip_and_partial_input) {
  bytes wire;
  append_length_prefixed(wire, as_bytes("/multistream/1.0.0\n"));
  append_length_prefixed(wire, bytes(300, 0x42));
  EXPECT_EQ(wire[0], 19);
  auto first = try_parse_length_prefixed(wire, 1024);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(as_string_view((*first)->payload), "/multistream/1.0.0\n");
  EXPECT_EQ((*first)->consumed, 20u);
  auto rest = byte_span(wire).subspan((*first)->consumed);
  auto second = try_parse_length_prefixed(rest, 1024);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->payload.size(), 300u);
  EXPECT_EQ((*second)->consumed, rest.size());
  // Every strict prefix of a frame asks for more input.
  for (std::size_t n = 0; n < rest.size(); ++n) {
    auto partial = try_parse_length_prefixed(rest.first(n), 1024);
    ASSERT_TRUE(partial) << n;
    EXPECT_FALSE(partial->has_value()) << n;
  }
  bytes empty_frame;
  append_length_prefixed(empty_frame, {});
  auto zero = try_parse_length_prefixed(empty_frame, 0);
  ASSERT_TRUE(zero && *zero);
  EXPECT_TRUE((*zero)->payload.empty());
}

TEST(length_prefixed, limits_and_bad_varints) {
  bytes wire;
  append_length_prefixed(wire, bytes(100, 0));
  EXPECT_TRUE(try_parse_length_prefixed(wire, 99).error().is(errc::too_large));
  // The length is checked before the payload arrives.
  EXPECT_TRUE(try_parse_length_prefixed(byte_span(wire).first(1), 99).error().is(errc::too_large));
  bytes overlong(10, 0xff);
  EXPECT_TRUE(try_parse_length_prefixed(overlong, 1 << 20).error().is(errc::decode_error));
  bytes non_minimal{0x81, 0x00};
  EXPECT_TRUE(try_parse_length_prefixed(non_minimal, 1 << 20).error().is(errc::decode_error));
}
