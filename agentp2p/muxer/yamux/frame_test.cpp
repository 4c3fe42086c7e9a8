// The pure parts: header codec and receive buffer.
#include <gtest/gtest.h>

#include <numeric>

#include "agentp2p/muxer/yamux/frame.hpp"
#include "agentp2p/muxer/yamux/recv_buffer.hpp"

using namespace agentp2p;
using namespace agentp2p::yamux;

TEST(yamux_frame, encodes_big_endian) {
  auto raw = encode({frame_type::window_update, flag::syn | flag::fin, 0x01020304, 0xa0b0c0d0});
  const header_bytes want = {0, 1, 0, 5, 1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0};
  EXPECT_EQ(raw, want);
}

TEST(yamux_frame, round_trips) {
  for (auto t : {frame_type::data, frame_type::window_update, frame_type::ping, frame_type::go_away}) {
    header h{t, flag::ack | flag::rst, 0xffffffff, 7};
    auto raw = encode(h);
    auto back = decode(raw);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, h);
  }
}

TEST(yamux_frame, rejects_bad_version_type_and_size) {
  header_bytes raw = encode({frame_type::data, 0, 1, 0});
  raw[0] = 1;
  auto v = decode(raw);
  ASSERT_FALSE(v);
  EXPECT_TRUE(v.error().is(errc::protocol_error));
  EXPECT_EQ(v.error().message, "yamux: unsupported version 1");

  raw[0] = 0;
  raw[1] = 7;
  auto t = decode(raw);
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is(errc::protocol_error));
  EXPECT_EQ(t.error().message, "yamux: unknown frame type 7");

  auto s = decode(byte_span(raw.data(), 11));
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is(errc::decode_error));
}

TEST(yamux_frame, ignores_unknown_flag_bits) {
  auto raw = encode({frame_type::data, 0x8001, 3, 0});
  auto h = decode(raw);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->has(flag::syn));
  EXPECT_EQ(describe(*h), "Data stream=3 flags=SYN|other length=0");
}

TEST(yamux_recv_buffer, keeps_order_across_chunks) {
  recv_buffer b;
  bytes all(100000);
  std::iota(all.begin(), all.end(), 0);
  // Mixed sizes: small ones share chunks, big ones get their own.
  std::size_t at = 0;
  for (std::size_t n : {1u, 10u, 20000u, 3u, 50000u, 29986u}) {
    auto space = b.prepare(n);
    std::copy_n(all.begin() + static_cast<std::ptrdiff_t>(at), n, space.begin());
    b.commit(n);
    at += n;
  }
  ASSERT_EQ(at, all.size());
  EXPECT_EQ(b.size(), all.size());
  bytes out(all.size());
  std::size_t got = 0;
  while (got < out.size()) got += b.read(mutable_byte_span(out.data() + got, std::min<std::size_t>(777, out.size() - got)));
  EXPECT_EQ(out, all);
  EXPECT_TRUE(b.empty());
}

TEST(yamux_recv_buffer, prepared_bytes_are_invisible_until_committed) {
  recv_buffer b;
  b.append(as_bytes("ab"));
  auto space = b.prepare(3);
  std::copy_n("xyz", 3, space.begin());
  std::uint8_t out[8];
  EXPECT_EQ(b.read(out), 2u);
  EXPECT_EQ(b.read(out), 0u);
  b.commit(3);
  EXPECT_EQ(b.read(out), 3u);
  EXPECT_EQ(as_string_view(byte_span(out, 3)), "xyz");
  // An abandoned prepare leaves nothing behind.
  (void)b.prepare(5);
  (void)b.prepare(0);
  b.append(as_bytes("q"));
  EXPECT_EQ(b.read(out), 1u);
  EXPECT_EQ(out[0], 'q');
}
