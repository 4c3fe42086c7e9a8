// libFuzzer entry for the client side of HTTP: what a server (an external MCP
// server, an A2A agent) sends back. The bytes go through Beast's response
// parser with the client's limits (client.cpp make_parser: 64 KiB of headers;
// a bounded body for send(), an unbounded streamed body for open()), arriving
// in reads of a size chosen by byte 0, and the streamed body's chunks go
// through the SSE parser as next_event() feeds it. Every event must survive
// its own re-encoding; limits must hold.
// Built as fuzz_http_response by tests/fuzz; seeds in tests/fuzz/corpus/http_response.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "agentp2p/http/message.hpp"
#include "agentp2p/http/sse.hpp"

namespace {

using namespace agentp2p;
namespace bhttp = boost::beast::http;
using response_parser = bhttp::response_parser<bhttp::string_body>;

constexpr std::size_t max_header_bytes = 64 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr std::size_t max_event_bytes = 4096;

// Feeds `bytes` to `p` in pieces of at most `chunk`, as a socket would
// deliver them, calling `drain` after each piece. False on a parse error.
template <class Drain>
bool feed(response_parser& p, std::string_view bytes, std::size_t chunk, Drain drain) {
  std::string pending;  // bytes the parser has not consumed yet (Beast's flat_buffer)
  while (!p.is_done()) {
    if (bytes.empty()) {
      // The connection ends: a body delimited by EOF completes, anything else is cut short.
      boost::system::error_code ec;
      p.put_eof(ec);
      return !ec && drain();
    }
    auto take = std::min(chunk, bytes.size());
    pending.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    while (!pending.empty() && !p.is_done()) {
      boost::system::error_code ec;
      auto n = p.put(boost::asio::buffer(pending.data(), pending.size()), ec);
      pending.erase(0, n);
      if (ec == bhttp::error::need_more) break;
      if (ec) return false;
      if (!drain()) return false;
      if (n == 0) break;
    }
  }
  return drain();
}

void check_event(const http::sse_event& ev) {
  if (ev.data.size() > max_event_bytes) std::abort();
  http::sse_parser again(1 << 20);
  if (!again.feed(http::format_sse_event(ev))) std::abort();
  auto back = again.next();
  if (!back || back->data != ev.data) std::abort();
}

// open(): headers first, then the body as SSE, chunk by chunk.
void as_stream(std::string_view bytes, std::size_t chunk) {
  response_parser p;
  p.header_limit(max_header_bytes);
  p.body_limit(boost::none);
  http::sse_parser sse(max_event_bytes);
  bool sse_failed = false;
  auto drain = [&] {
    if (!p.is_header_done()) return true;
    auto& body = p.get().body();
    if (!body.empty() && !sse_failed) {
      if (!sse.feed(body)) sse_failed = true;
      while (auto ev = sse.next()) check_event(*ev);
    }
    body.clear();
    return true;
  };
  if (!feed(p, bytes, chunk, drain)) return;
  if (!p.is_header_done()) return;
  http::headers h;
  for (const auto& f : p.get()) h.add(f.name_string(), f.value());
  (void)h.get("content-type");
  (void)h.get("mcp-session-id");
  if (!sse_failed) {
    sse.finish();
    while (auto ev = sse.next()) check_event(*ev);
  }
}

// send(): the whole response, its body bounded.
void as_response(std::string_view bytes, std::size_t chunk) {
  response_parser p;
  p.header_limit(max_header_bytes);
  p.body_limit(max_body_bytes);
  if (!feed(p, bytes, chunk, [] { return true; })) return;
  if (p.get().body().size() > max_body_bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t chunk = 1 + data[0] * 4;
  as_stream(bytes, chunk);
  as_response(bytes, chunk);
  return 0;
}
