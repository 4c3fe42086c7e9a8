// libFuzzer entry for the praxis JSON parsers that see remote input: agent
// cards, tool requests and replies, and tool-argument validation against a
// JSON Schema. Built as fuzz_praxis_wire by tests/fuzz; seeds (lines from
// agent/card/card_test.cpp and agent/praxis/*_test.cpp) in tests/fuzz/corpus/praxis_wire.
#include <cstddef>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/agent/card/card.hpp"
#include "agentp2p/agent/praxis/tool_wire.hpp"
#include "agentp2p/agent/tools/schema.hpp"

namespace {

const agentp2p::tools::schema& argument_schema() {
  static const auto s = *agentp2p::tools::schema::compile(boost::json::parse(R"({
    "type":"object","additionalProperties":false,"required":["q"],
    "$defs":{"tag":{"type":"string","pattern":"^[a-z]+(-[a-z]+)*$","maxLength":32}},
    "properties":{
      "q":{"type":"string","minLength":1,"pattern":"(a|b)+c"},
      "n":{"type":["integer","null"],"minimum":0,"exclusiveMaximum":100,"multipleOf":2},
      "tags":{"type":"array","items":{"$ref":"#/$defs/tag"},"uniqueItems":true,"maxItems":8},
      "mode":{"enum":["fast","slow"]},
      "opt":{"anyOf":[{"type":"boolean"},{"type":"object","properties":{"x":{"const":1}}}]},
      "one":{"oneOf":[{"type":"integer"},{"type":"number","minimum":0.5}]}}})"));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  boost::system::error_code ec;
  auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;

  if (auto c = card::from_json(v)) {
    // A card we accept re-encodes to the same card.
    auto again = card::from_json(boost::json::parse(boost::json::serialize(card::to_json(*c))));
    if (!again || !(*again == *c)) __builtin_trap();
  }
  if (auto req = praxis::parse_tool_request(v)) {
    (void)praxis::make_tool_reply(req->id, boost::json::value(req->arguments));
    (void)argument_schema().validate(boost::json::value(req->arguments));
  }
  (void)praxis::parse_tool_reply(v, "1");
  (void)argument_schema().validate(v);
  // The document as a schema: must compile or be refused, never crash.
  if (auto s = tools::schema::compile(v)) (void)s->validate(v);
  return 0;
}
