// libFuzzer entry for the A2A input path: bytes → JSON-RPC request → method
// params → data model → JSON (both versions) → data model again; and bytes
// as a peer's response (stream items, tasks). Every stage must fail cleanly
// or produce something that survives its own re-encoding.
// Built as fuzz_a2a_jsonrpc by tests/fuzz; seeds (request lines from
// dispatcher_test.cpp / service_test.cpp) in tests/fuzz/corpus/a2a_jsonrpc.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agentp2p/agent/a2a/codec.hpp"
#include "agentp2p/agent/a2a/jsonrpc.hpp"
#include "agentp2p/agent/a2a/params.hpp"

namespace {

using namespace agentp2p;
namespace json = boost::json;

// An encoded value must parse back, and encode to the same JSON again.
template <class T, class Parse>
void round_trip(const T& v, Parse parse) {
  for (auto d : {a2a::dialect::v0_3, a2a::dialect::v1_0}) {
    auto j = a2a::to_json(v, d);
    auto back = parse(j);
    if (!back) std::abort();
    if (a2a::to_json(*back, d) != j) std::abort();
  }
}

void check_message(const a2a::message& m) {
  round_trip(m, [](const json::value& j) { return a2a::parse_message(j); });
}

void check_task(const a2a::task& t) {
  round_trip(t, [](const json::value& j) { return a2a::parse_task(j); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // As a request line.
  auto parsed = a2a::parse_request(text);
  if (auto* req = std::get_if<a2a::rpc_request>(&parsed)) {
    if (auto s = a2a::parse_send_params(req->params)) check_message(s->message);
    (void)a2a::parse_task_id_params(req->params);
    if (auto q = a2a::parse_list_params(req->params)) {
      if (q->after) {
        auto again = a2a::decode_page_token(a2a::encode_page_token(*q->after));
        if (!again || again->id != q->after->id || again->updated != q->after->updated) std::abort();
      }
    }
  } else if (!std::get<json::value>(parsed).as_object().contains("error")) {
    std::abort();  // a rejected request always gets an error response
  }

  // As a peer's response or stream item.
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (!ec) {
    if (auto r = a2a::parse_response(v); r && r->outcome) (void)a2a::parse_stream_item(*r->outcome);
    if (auto item = a2a::parse_stream_item(v)) {
      if (auto* t = std::get_if<a2a::task>(&*item)) check_task(*t);
      if (auto* m = std::get_if<a2a::message>(&*item)) check_message(*m);
    }
    if (auto t = a2a::parse_task(v)) check_task(*t);
  }

  (void)a2a::decode_page_token(text);
  if (auto ts = a2a::parse_timestamp(text)) {
    if (a2a::parse_timestamp(a2a::format_timestamp(*ts)) != ts) std::abort();
  }
  return 0;
}
