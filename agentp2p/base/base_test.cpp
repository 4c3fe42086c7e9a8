#include <gtest/gtest.h>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/base/uvarint.hpp"

using namespace agentp2p;

TEST(uvarint, round_trips_boundaries) {
  for (std::uint64_t v : {0ull, 1ull, 127ull, 128ull, 255ull, 300ull, 16383ull, 16384ull, (1ull << 63) - 1}) {
    bytes b;
    uvarint::append(b, v);
    EXPECT_EQ(b.size(), uvarint::encoded_length(v));
    auto d = uvarint::decode(b);
    ASSERT_TRUE(d) << v;
    EXPECT_EQ(d->value, v);
    EXPECT_EQ(d->length, b.size());
  }
}

TEST(uvarint, spec_vectors) {
  // From multiformats/unsigned-varint README.
  struct vec { std::uint64_t v; const char* hex; };
  for (auto [v, hex] : {vec{1, "01"}, vec{127, "7f"}, vec{128, "8001"}, vec{255, "ff01"}, vec{300, "ac02"},
                        vec{16384, "808001"}}) {
    bytes b;
    uvarint::append(b, v);
    EXPECT_EQ(to_hex(b), hex);
  }
}

TEST(uvarint, rejects_truncated_oversized_and_non_minimal) {
  bytes truncated{0x80, 0x80};
  EXPECT_TRUE(uvarint::decode(truncated).error().is(errc::decode_error));
  auto partial = uvarint::try_decode(truncated);
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->has_value());

  bytes ten(10, 0xff);
  EXPECT_TRUE(uvarint::decode(ten).error().is(errc::too_large));
  bytes nine_cont(9, 0x80);
  EXPECT_TRUE(uvarint::try_decode(nine_cont).error().is(errc::too_large));

  bytes non_minimal{0x81, 0x00};
  EXPECT_TRUE(uvarint::decode(non_minimal).error().is(errc::decode_error));
}

TEST(result, carries_value_or_error) {
  result<int> good = 5;
  EXPECT_TRUE(good);
  EXPECT_EQ(*good, 5);
  result<int> bad = make_error(errc::timeout, "dial 1.2.3.4");
  EXPECT_FALSE(bad);
  EXPECT_TRUE(bad.error().is(errc::timeout));
  EXPECT_EQ(bad.error().what(), "dial 1.2.3.4 (timed out)");
  EXPECT_THROW(bad.value(), result_error);
}

TEST(hex, round_trip_and_rejects_bad_digits) {
  bytes out;
  EXPECT_TRUE(from_hex("00ffA1", out));
  EXPECT_EQ(to_hex(out), "00ffa1");
  EXPECT_FALSE(from_hex("0g", out));
  EXPECT_FALSE(from_hex("abc", out));
}

#include "agentp2p/base/counters.hpp"

TEST(counters, named_counters_are_shared_and_listed) {
  auto& a = agentp2p::counters::get("test", "things_refused", "things we refused");
  auto& again = agentp2p::counters::get("test", "things_refused");
  EXPECT_EQ(&a, &again);
  const auto before = a.value();
  agentp2p::counters::count_and_log(a, "refused a thing");
  agentp2p::counters::count_and_log(a, "refused a thing");  // held back from the log, still counted
  EXPECT_EQ(a.value(), before + 2);
  bool listed = false;
  for (const auto& s : agentp2p::counters::snapshot())
    if (s.module == "test" && s.name == "things_refused") listed = s.value == before + 2 && s.help == "things we refused";
  EXPECT_TRUE(listed);
  EXPECT_EQ(agentp2p::counters::find("test", "nobody_declared_this"), nullptr);
}
