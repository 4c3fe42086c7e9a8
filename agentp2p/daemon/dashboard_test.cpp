#include "agentp2p/daemon/dashboard.hpp"

#include <gtest/gtest.h>

#include "agentp2p/http/message.hpp"

namespace agentp2p::daemon {
namespace {

http::request get(std::string path) {
  http::request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  return r;
}

TEST(Dashboard, ThePageIsServedAtTheRootWithItsSecurityHeaders) {
  auto r = dashboard_response(get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(r.body.find("/dashboard/app.js"), std::string::npos);
  auto csp = std::string(r.headers.get("Content-Security-Policy").value_or(""));
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(r.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-cache");
}

TEST(Dashboard, AssetsHaveTheirContentTypes) {
  EXPECT_EQ(dashboard_response(get("/dashboard/app.js")).headers.get("Content-Type").value_or(""),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(dashboard_response(get("/dashboard/style.css")).headers.get("Content-Type").value_or(""),
            "text/css; charset=utf-8");
  EXPECT_EQ(dashboard_response(get("/dashboard/icon.svg")).headers.get("Content-Type").value_or(""), "image/svg+xml");
}

TEST(Dashboard, EmbeddedBytesAreTheFilesOnDisk) {
  ASSERT_GE(dashboard_files().size(), 4u);
  for (const auto& f : dashboard_files()) {
    EXPECT_FALSE(f.bytes.empty()) << f.path;
    EXPECT_TRUE(f.etag.starts_with('"') && f.etag.ends_with('"')) << f.path;
  }
  auto js = dashboard_response(get("/dashboard/app.js")).body;
  EXPECT_NE(js.find("'use strict'"), std::string::npos);
}

TEST(Dashboard, AMatchingETagGets304WithoutABody) {
  auto first = dashboard_response(get("/dashboard/app.js"));
  auto etag = std::string(first.headers.get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  auto req = get("/dashboard/app.js");
  req.headers.set("If-None-Match", "\"other\", " + etag);
  auto again = dashboard_response(req);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.headers.get("ETag").value_or(""), etag);

  req.headers.set("If-None-Match", "\"stale\"");
  EXPECT_EQ(dashboard_response(req).status, 200);
}

TEST(Dashboard, UnknownPathsAre404AndNothingOutsideTheFilesIsServed) {
  for (const char* p : {"/dashboard/", "/dashboard/nope.js", "/dashboard/../CMakeLists.txt", "/app.js", "/favicon.ico"}) {
    auto r = dashboard_response(get(p));
    EXPECT_EQ(r.status, 404) << p;
  }
}

}  // namespace
}  // namespace agentp2p::daemon
