#include "agentp2p/daemon/dashboard.hpp"

#include "agentp2p/http/server.hpp"

namespace agentp2p::daemon {

namespace {

// What the page may load: its own script, styles and icon, and fetch() to its
// own origin (the API). No inline script or style, no plugins, no framing.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const embedded_file* find_file(std::string_view path) {
  for (const auto& f : dashboard_files())
    if (f.path == path) return &f;
  return nullptr;
}

// True when an If-None-Match value ("a", "b" or *) names `etag`.
bool matches_etag(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    auto item = if_none_match.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void security_headers(http::headers& h) {
  h.set("Content-Security-Policy", content_security_policy);
  h.set("X-Content-Type-Options", "nosniff");
  h.set("X-Frame-Options", "DENY");
  h.set("Referrer-Policy", "no-referrer");
  h.set("Cross-Origin-Opener-Policy", "same-origin");
  h.set("Cross-Origin-Resource-Policy", "same-origin");
}

}  // namespace

http::response dashboard_response(const http::request& req) {
  std::string_view path = req.path;
  if (path == "/" || path == "/index.html") path = "/index.html";
  else if (path.starts_with("/dashboard/")) path.remove_prefix(std::string_view("/dashboard").size());
  else path = {};
  const embedded_file* f = path.empty() ? nullptr : find_file(path);
  if (!f) {
    auto r = http::response::error(404, "not_found", "no dashboard file " + req.path + "; the dashboard is at /");
    security_headers(r.headers);
    return r;
  }
  http::response r;
  r.headers.set("ETag", f->etag);
  // Revalidate every time: cheap with the ETag, and a new binary's page is
  // never mixed with an old cached script.
  r.headers.set("Cache-Control", "no-cache");
  security_headers(r.headers);
  if (auto inm = req.header("If-None-Match"); inm && matches_etag(*inm, f->etag)) {
    r.status = 304;
    return r;
  }
  r.headers.set("Content-Type", f->content_type);
  r.body = std::string(f->bytes);
  return r;
}

namespace {
awaitable<http::response> serve(const http::request& req) { co_return dashboard_response(req); }
}  // namespace

void mount_dashboard(http::server& srv, const http::access_policy& policy) {
  auto group = srv.group(policy);
  auto handler = [](http::request& req, http::response_writer&) { return serve(req); };
  group.get("/", handler);
  group.get("/index.html", handler);
  group.get("/dashboard/*", handler);
}

}  // namespace agentp2p::daemon
