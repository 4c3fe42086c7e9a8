// libFuzzer entry for the HTTP input path: bytes as a request (Beast's
// parser with the server's limits → our request view → routing → access
// policy), as an SSE stream (parser; each event must survive re-encoding),
// and as a URL. Everything must fail cleanly or hold its invariants.
// Built by tests/fuzz (AGENTP2P_FUZZ=ON, clang): target fuzz_http_request.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "agentp2p/http/route_pattern.hpp"
#include "agentp2p/http/server.hpp"
#include "agentp2p/http/sse.hpp"

namespace {

using namespace agentp2p;
namespace bhttp = boost::beast::http;

void fuzz_request(std::string_view bytes) {
  bhttp::request_parser<bhttp::string_body> p;
  p.header_limit(16 * 1024);
  p.body_limit(64 * 1024);
  p.eager(true);
  while (!bytes.empty() && !p.is_done()) {
    boost::system::error_code ec;
    auto n = p.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec) return;
    bytes.remove_prefix(n);
    if (n == 0) break;
  }
  if (!p.is_header_done()) return;
  auto& msg = p.get();
  http::request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  std::string_view target = req.target;
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  if (auto d = http::percent_decode(raw_path)) req.path = *d;
  if (q != std::string_view::npos) req.query = http::parse_query(target.substr(q + 1));
  for (const auto& f : msg) req.headers.add(f.name_string(), f.value());
  static const http::route_pattern patterns[] = {
      http::route_pattern("/"), http::route_pattern("/api/v1/peers/{id}"), http::route_pattern("/static/*"),
      http::route_pattern("/a/{b}/c/{d}")};
  for (const auto& pat : patterns) {
    auto m = pat.match(raw_path);
    if (m)
      for (const auto& [k, v] : *m)
        if (k.empty()) std::abort();
  }
  http::access_policy policy;
  policy.bearer_token = "token";
  auto verdict = http::check_access(policy, req, true);
  if (verdict && verdict->status != 400 && verdict->status != 401 && verdict->status != 403) std::abort();
  (void)req.bearer_token();
  (void)req.last_event_id();
}

void fuzz_sse(std::string_view bytes) {
  http::sse_parser p(4096);
  auto half = bytes.size() / 2;
  if (!p.feed(bytes.substr(0, half))) return;
  if (!p.feed(bytes.substr(half))) return;
  p.finish();
  while (auto ev = p.next()) {
    // Re-encoding an event and parsing it again yields the same data and type.
    http::sse_parser again(1 << 20);
    if (!again.feed(http::format_sse_event(*ev))) std::abort();
    auto back = again.next();
    if (!back || back->data != ev->data) std::abort();
    if (ev->event.find_first_of("\r\n") == std::string::npos && back->event != ev->event) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  fuzz_request(bytes);
  fuzz_sse(bytes);
  std::string why;
  if (auto u = http::parse_url(bytes, &why)) {
    if (u->target.empty() || u->target.front() != '/') std::abort();
  }
  return 0;
}
