#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/protocols/perf/perf.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using multiformats::multiaddr;

namespace {

struct pair_of_hosts {
  asio::io_context ctx;
  std::shared_ptr<host::host> client = host::builder{}.build(ctx.get_executor());
  std::shared_ptr<host::host> server = host::builder{}.build(ctx.get_executor());
  multiaddr addr() {
    auto bound = server->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    return bound->encapsulate(*multiaddr::parse("/p2p/" + server->id().to_string()));
  }
};

}  // namespace

TEST(perf, uploads_and_downloads_the_requested_bytes) {
  pair_of_hosts p;
  auto svc = perf::service::start(p.server);
  auto addr = p.addr();
  test::run_void(p.ctx, [&](executor) -> awaitable<void> {
    auto c = co_await p.client->connect(addr);
    EXPECT_TRUE(c);
    if (c) {
      auto r = co_await perf::measure(*p.client, *c, 3'000'000, 5'000'001);
      EXPECT_TRUE(r) << r.error().what();
      if (r) {
        EXPECT_EQ(r->type, perf::report::kind::final);
        EXPECT_EQ(r->upload_bytes, 3'000'000u);
        EXPECT_EQ(r->download_bytes, 5'000'001u);
        EXPECT_GT(r->time_seconds, 0.0);
      }
      // Zero both ways is valid too.
      auto zero = co_await perf::measure(*p.client, *c, 0, 0);
      EXPECT_TRUE(zero) << zero.error().what();
    }
    co_await p.client->close();
    co_await p.server->close();
  });
}

TEST(perf, is_off_unless_started) {
  pair_of_hosts p;
  auto addr = p.addr();
  test::run_void(p.ctx, [&](executor) -> awaitable<void> {
    auto c = co_await p.client->connect(addr);
    EXPECT_TRUE(c);
    if (c) {
      auto r = co_await perf::measure(*p.client, *c, 10, 10);
      EXPECT_FALSE(r);
      if (!r) {
        EXPECT_TRUE(r.error().is(errc::unsupported)) << r.error().what();
      }
    }
    co_await p.client->close();
    co_await p.server->close();
  });
}

TEST(perf, server_refuses_downloads_above_its_cap) {
  pair_of_hosts p;
  perf::config cfg;
  cfg.max_download_bytes = 1000;
  auto svc = perf::service::start(p.server, cfg);
  auto addr = p.addr();
  test::run_void(p.ctx, [&](executor) -> awaitable<void> {
    auto c = co_await p.client->connect(addr);
    EXPECT_TRUE(c);
    if (c) {
      auto small = co_await perf::measure(*p.client, *c, 0, 1000);
      EXPECT_TRUE(small) << small.error().what();
      auto big = co_await perf::measure(*p.client, *c, 0, 1001);
      EXPECT_FALSE(big);
    }
    co_await p.client->close();
    co_await p.server->close();
  });
}

TEST(perf, report_json_matches_the_perf_test_apps) {
  perf::report r;
  r.type = perf::report::kind::intermediary;
  r.time_seconds = 1.5;
  r.upload_bytes = 10;
  r.download_bytes = 20;
  EXPECT_EQ(perf::to_json(r), R"({"type":"intermediary","timeSeconds":1.500000,"uploadBytes":10,"downloadBytes":20})");
}
