#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "agentp2p/muxer/yamux/recv_buffer.hpp"

using namespace agentp2p;
using namespace agentp2p::yamux;

TEST(recv_buffer, full_frames_reuse_pooled_blocks_and_keep_bytes_in_order) {
  chunk_pool pool(2);
  std::vector<std::uint8_t> out(200000);
  {
    recv_buffer b(&pool);
    std::uint8_t next = 0;
    for (int frame = 0; frame < 3; ++frame) {
      auto space = b.prepare(65508);
      for (auto& x : space) x = next++;
      b.commit(65508);
    }
    EXPECT_EQ(b.size(), 3u * 65508);
    EXPECT_EQ(b.read(out), 3u * 65508);
    for (std::size_t i = 0; i < 3u * 65508; ++i) ASSERT_EQ(out[i], static_cast<std::uint8_t>(i));
    // Three blocks came back; the pool keeps only two.
    EXPECT_EQ(pool.free_blocks(), 2u);
    auto again = b.prepare(60000);
    b.commit(again.size());
    EXPECT_EQ(pool.free_blocks(), 1u);  // taken from the pool
  }
  EXPECT_EQ(pool.free_blocks(), 2u);  // returned when the buffer went away
}

TEST(recv_buffer, small_and_oversized_payloads_bypass_the_pool) {
  chunk_pool pool(4);
  recv_buffer b(&pool);
  std::vector<std::uint8_t> small(10, 1), big(100000, 2), out(200000);
  b.append(small);
  b.append(big);
  EXPECT_EQ(b.read(out), small.size() + big.size());
  EXPECT_EQ(pool.free_blocks(), 0u);
}
