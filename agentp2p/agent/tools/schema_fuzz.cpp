// libFuzzer entry for the JSON Schema validator with both sides untrusted:
// schemas come from external MCP servers and remote agents' cards, instances
// from remote callers. Input: a schema document and an instance document,
// separated by the first NUL byte (no NUL: the document is both). Limits are
// tightened so a run stays fast; patterns, $ref cycles, anyOf/oneOf blow-up
// and deep nesting must all end in a verdict or an error.
// Built as fuzz_json_schema by tests/fuzz; seeds in tests/fuzz/corpus/json_schema.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json/parse.hpp>

#include "agentp2p/agent/tools/schema.hpp"

namespace {

namespace json = boost::json;

bool parse(std::string_view text, json::value& out) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  out = json::parse(text, ec, {}, opts);
  return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace agentp2p;
  if (size > 16 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto nul = text.find('\0');
  json::value schema_doc, instance;
  if (!parse(text.substr(0, nul), schema_doc)) return 0;
  if (nul == std::string_view::npos) instance = schema_doc;
  else if (!parse(text.substr(nul + 1), instance)) return 0;

  tools::schema_limits limits;
  limits.max_depth = 32;
  limits.max_pattern_length = 256;
  limits.max_pattern_input = 1024;
  limits.max_steps = 5'000;
  auto s = tools::schema::compile(schema_doc, limits);
  if (!s) return 0;
  auto verdict = s->validate(instance);
  // Validation is a pure function of (schema, instance).
  if (static_cast<bool>(s->validate(instance)) != static_cast<bool>(verdict)) std::abort();
  (void)s->validate(schema_doc, "schema");
  return 0;
}
