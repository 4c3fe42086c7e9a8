// A JSON Schema validator for tool arguments and results: the subset tool
// authors and MCP servers actually write (draft 7 / 2020-12 vocabulary).
//
//   type (a name or a list; "integer" accepts 3 and 3.0), enum, const,
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
//   minLength, maxLength (in code points), pattern,
//   items (a schema, or a list for tuples), prefixItems, minItems, maxItems, uniqueItems,
//   properties, required, additionalProperties (bool or schema), patternProperties,
//   minProperties, maxProperties, allOf, anyOf, oneOf, not, if/then/else,
//   $ref to the same document ("#/$defs/x", "#/definitions/x", "#").
// Other keywords (title, description, default, format, examples...) are
// annotations and ignored.
//
// Errors name the failing value: "arguments.count: expected integer, got string".
//
// Guards, because instances come from the network: patterns are compiled once
// (when the schema is), in libstdc++'s polynomial mode (no back-references,
// no exponential backtracking), matched only against strings up to
// `max_pattern_input` bytes; recursion (nesting, $ref cycles) stops at
// `max_depth`, and one validation does at most `max_steps` subschema checks.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include <boost/json/value.hpp>

#include "agentp2p/base/result.hpp"

namespace agentp2p::tools {

struct schema_limits {
  // Nesting of schemas followed while validating one value ($ref included).
  std::size_t max_depth = 64;
  // A "pattern" longer than this is refused when the schema is compiled.
  std::size_t max_pattern_length = 1024;
  // Strings longer than this are not matched against a pattern (an error).
  std::size_t max_pattern_input = 16 * 1024;
  // Subschema checks for one validation: anyOf/oneOf over $ref can branch
  // exponentially; past this budget validation fails instead of spinning.
  std::size_t max_steps = 100'000;
};

class schema {
 public:
  // The schema that accepts everything.
  schema();

  // Checks that `s` is a usable schema (an object or a boolean; keywords of
  // the right types; patterns that compile; local $refs that resolve).
  // errc::invalid_argument "schema at #/properties/x/pattern: ...".
  static result<schema> compile(boost::json::value s, schema_limits limits = {});

  // errc::invalid_argument naming the first violation, its path starting at `root`.
  result<void> validate(const boost::json::value& instance, std::string_view root = "arguments") const;

  const boost::json::value& json() const noexcept;

  struct impl;  // the compiled form (schema.cpp)

 private:
  explicit schema(std::shared_ptr<const impl> p) : impl_(std::move(p)) {}
  std::shared_ptr<const impl> impl_;  // immutable: one schema is shared by concurrent calls
};

// compile + validate, for one-off checks.
result<void> validate(const boost::json::value& schema_json, const boost::json::value& instance,
                      std::string_view root = "arguments");

}  // namespace agentp2p::tools
