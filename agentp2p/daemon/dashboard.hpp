// The web dashboard served by the daemon at `/`: one page, a style sheet, a
// script and an icon from agentp2p/daemon/dashboard/, embedded in the binary
// at build time (cmake/embed_files.cmake), so it works without a network or
// files on disk. The page reads the API (/api/v1/...) like any client; it
// holds nothing secret, so its routes need no token (the API still does).
//
// Every answer carries a strict Content-Security-Policy (scripts, styles and
// connections from this origin only, nothing inline, no framing), an ETag
// (If-None-Match → 304) and Cache-Control: no-cache.
#pragma once

#include <span>
#include <string_view>

namespace agentp2p::http {
class server;
struct access_policy;
struct request;
struct response;
}  // namespace agentp2p::http

namespace agentp2p::daemon {

struct embedded_file {
  std::string_view path;  // "/index.html", "/app.js", ...
  std::string_view content_type;
  std::string_view etag;  // quoted, as the ETag header wants it
  std::string_view bytes;
};

// The files of agentp2p/daemon/dashboard/ (generated source).
std::span<const embedded_file> dashboard_files();

// The answer to GET `path` ("/" is the page, "/dashboard/<file>" the rest):
// the file with its headers, 304 when If-None-Match names its ETag, 404 for
// anything else.
http::response dashboard_response(const http::request& req);

// GET / and GET /dashboard/* under `policy`.
void mount_dashboard(http::server& srv, const http::access_policy& policy);

}  // namespace agentp2p::daemon
