#include <gtest/gtest.h>

#include <chrono>

#include <boost/json/parse.hpp>

#include "agentp2p/agent/tools/schema.hpp"

using namespace agentp2p;
namespace json = boost::json;

namespace {

// The error message, or "" when `instance` is valid.
std::string check(std::string_view schema_text, std::string_view instance_text) {
  auto s = tools::schema::compile(json::parse(schema_text));
  if (!s) return "schema: " + s.error().message;
  auto r = s->validate(json::parse(instance_text));
  return r ? "" : r.error().message;
}

std::string compile_error(std::string_view schema_text) {
  auto s = tools::schema::compile(json::parse(schema_text));
  return s ? "" : s.error().message;
}

}  // namespace

TEST(schema, types_name_the_field_and_both_types) {
  const char* s = R"({"type":"object","properties":{"count":{"type":"integer"},"name":{"type":"string"}}})";
  EXPECT_EQ(check(s, R"({"count":3,"name":"x"})"), "");
  EXPECT_EQ(check(s, R"({"count":"3"})"), "arguments.count: expected integer, got string");
  EXPECT_EQ(check(s, R"({"name":5})"), "arguments.name: expected string, got integer");
  EXPECT_EQ(check(s, R"([1])"), "arguments: expected object, got array");
}

TEST(schema, integer_versus_number) {
  EXPECT_EQ(check(R"({"type":"integer"})", "3.0"), "");  // JSON Schema: 3.0 is an integer
  EXPECT_EQ(check(R"({"type":"integer"})", "3.5"), "arguments: expected integer, got number");
  EXPECT_EQ(check(R"({"type":"number"})", "3"), "");
  EXPECT_EQ(check(R"({"type":"number"})", "18446744073709551615"), "");
  EXPECT_EQ(check(R"({"type":"boolean"})", "0"), "arguments: expected boolean, got integer");
  EXPECT_EQ(check(R"({"type":"null"})", "null"), "");
}

TEST(schema, type_lists) {
  const char* s = R"({"type":["string","null"]})";
  EXPECT_EQ(check(s, "null"), "");
  EXPECT_EQ(check(s, R"("a")"), "");
  EXPECT_EQ(check(s, "1"), "arguments: expected string or null, got integer");
}

TEST(schema, required_and_additional_properties) {
  const char* s = R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"],
                      "additionalProperties":false})";
  EXPECT_EQ(check(s, R"({"a":"x"})"), "");
  EXPECT_EQ(check(s, R"({})"), "arguments.a: required field is missing");
  EXPECT_EQ(check(s, R"({"a":"x","b":1})"), "arguments.b: unknown field (additional properties are not allowed)");
  const char* typed = R"({"type":"object","additionalProperties":{"type":"number"}})";
  EXPECT_EQ(check(typed, R"({"x":1,"y":2.5})"), "");
  EXPECT_EQ(check(typed, R"({"x":"1"})"), "arguments.x: expected number, got string");
  EXPECT_EQ(check(typed, R"({"a b":"1"})"), R"(arguments["a b"]: expected number, got string)");
}

TEST(schema, nested_objects_and_arrays_give_full_paths) {
  const char* s = R"({"type":"object","properties":{
      "user":{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","minLength":2}}},
              "required":["tags"]}}})";
  EXPECT_EQ(check(s, R"({"user":{"tags":["ab","cd"]}})"), "");
  EXPECT_EQ(check(s, R"({"user":{"tags":["ab",7]}})"), "arguments.user.tags[1]: expected string, got integer");
  EXPECT_EQ(check(s, R"({"user":{"tags":["a"]}})"), "arguments.user.tags[0]: must be at least 2 characters long, got 1");
  EXPECT_EQ(check(s, R"({"user":{}})"), "arguments.user.tags: required field is missing");
}

TEST(schema, enum_and_const) {
  EXPECT_EQ(check(R"({"enum":["red","green"]})", R"("red")"), "");
  EXPECT_EQ(check(R"({"enum":["red","green"]})", R"("blue")"), R"(arguments: must be one of ["red","green"], got "blue")");
  EXPECT_EQ(check(R"({"enum":[1,2]})", "2.0"), "");
  EXPECT_EQ(check(R"({"const":{"a":[1]}})", R"({"a":[1]})"), "");
  EXPECT_EQ(check(R"({"const":"x"})", R"("y")"), R"(arguments: must be "x", got "y")");
}

TEST(schema, numeric_bounds) {
  const char* s = R"({"minimum":1,"maximum":10})";
  EXPECT_EQ(check(s, "1"), "");
  EXPECT_EQ(check(s, "10"), "");
  EXPECT_EQ(check(s, "0"), "arguments: must be >= 1, got 0");
  EXPECT_EQ(check(s, "10.5"), "arguments: must be <= 10, got 10.5");
  EXPECT_EQ(check(R"({"exclusiveMinimum":0})", "0"), "arguments: must be > 0, got 0");
  EXPECT_EQ(check(R"({"exclusiveMaximum":5})", "4.99"), "");
  EXPECT_EQ(check(R"({"exclusiveMaximum":5})", "5"), "arguments: must be < 5, got 5");
  EXPECT_EQ(check(R"({"minimum":0,"exclusiveMinimum":true})", "0"), "arguments: must be > 0, got 0");  // draft 4
  EXPECT_EQ(check(R"({"multipleOf":0.5})", "2.5"), "");
  EXPECT_EQ(check(R"({"multipleOf":3})", "7"), "arguments: must be a multiple of 3, got 7");
}

TEST(schema, string_length_counts_code_points) {
  const char* s = R"({"type":"string","minLength":2,"maxLength":3})";
  EXPECT_EQ(check(s, R"("日本")"), "");  // 2 code points, 6 bytes
  EXPECT_EQ(check(s, R"("abcd")"), "arguments: must be at most 3 characters long, got 4");
}

TEST(schema, patterns_search_anywhere_unless_anchored) {
  EXPECT_EQ(check(R"({"pattern":"b+"})", R"("abbbc")"), "");
  EXPECT_EQ(check(R"({"pattern":"^b+$"})", R"("abbbc")"), R"(arguments: does not match pattern "^b+$")");
  EXPECT_EQ(check(R"({"pattern":"^[a-z]+@[a-z]+\\.com$"})", R"("me@example.com")"), "");
  // Catastrophic backtracking for a backtracking engine; linear here.
  std::string evil = "\"" + std::string(5000, 'a') + "!\"";
  EXPECT_EQ(check(R"({"pattern":"^(a+)+$"})", evil), R"(arguments: does not match pattern "^(a+)+$")");
  std::string huge = "\"" + std::string(20000, 'a') + "\"";
  EXPECT_NE(check(R"({"pattern":"a"})", huge).find("too long to check"), std::string::npos);
}

TEST(schema, bad_schemas_are_refused_at_compile_time) {
  EXPECT_NE(compile_error(R"({"type":"strnig"})").find("unknown type"), std::string::npos);
  EXPECT_NE(compile_error(R"({"pattern":"(a"})").find("does not compile"), std::string::npos);
  EXPECT_NE(compile_error(R"({"pattern":"(a)\\1"})").find("does not compile"), std::string::npos);
  EXPECT_NE(compile_error(R"({"properties":{"x":{"minLength":-1}}})").find("#/properties/x/minLength"), std::string::npos);
  EXPECT_NE(compile_error(R"({"required":"a"})").find("required"), std::string::npos);
  EXPECT_NE(compile_error(R"({"$ref":"#/$defs/missing"})").find("does not resolve"), std::string::npos);
  EXPECT_NE(compile_error(R"(42)").find("must be an object or a boolean"), std::string::npos);
  EXPECT_EQ(compile_error(R"({"title":"x","description":"y","format":"email","default":3})"), "");
}

TEST(schema, array_keywords) {
  const char* s = R"({"type":"array","minItems":1,"maxItems":3,"uniqueItems":true})";
  EXPECT_EQ(check(s, "[1,2]"), "");
  EXPECT_EQ(check(s, "[]"), "arguments: must have at least 1 items, got 0");
  EXPECT_EQ(check(s, "[1,2,3,4]"), "arguments: must have at most 3 items, got 4");
  EXPECT_EQ(check(s, "[1,1.0]"), "arguments: items must be unique; item 1 repeats an earlier one");
  const char* tuple = R"({"prefixItems":[{"type":"string"},{"type":"integer"}],"items":false})";
  EXPECT_EQ(check(tuple, R"(["a",1])"), "");
  EXPECT_EQ(check(tuple, R"(["a","b"])"), "arguments[1]: expected integer, got string");
  EXPECT_EQ(check(tuple, R"(["a",1,2])"), "arguments[2]: no value is allowed here");
}

TEST(schema, combinators) {
  const char* any = R"({"anyOf":[{"type":"string"},{"type":"integer","minimum":0}]})";
  EXPECT_EQ(check(any, R"("x")"), "");
  EXPECT_EQ(check(any, "4"), "");
  EXPECT_EQ(check(any, "-1"),
            "arguments: matches none of the allowed alternatives (anyOf); the first says: arguments: expected string, "
            "got integer");
  const char* one = R"({"oneOf":[{"type":"integer"},{"type":"number"}]})";
  EXPECT_EQ(check(one, "1.5"), "");
  EXPECT_EQ(check(one, "1"), "arguments: matches more than one alternative of oneOf (0 and 1)");
  const char* all = R"({"allOf":[{"type":"string"},{"maxLength":2}]})";
  EXPECT_EQ(check(all, R"("abc")"), "arguments: must be at most 2 characters long, got 3");
  EXPECT_EQ(check(R"({"not":{"type":"null"}})", "null"), R"(arguments: must not match the schema under "not")");
  const char* cond = R"({"if":{"properties":{"kind":{"const":"n"}}},"then":{"required":["n"]}})";
  EXPECT_EQ(check(cond, R"({"kind":"n","n":1})"), "");
  EXPECT_EQ(check(cond, R"({"kind":"n"})"), "arguments.n: required field is missing");
  EXPECT_EQ(check(cond, R"({"kind":"s"})"), "");
}

TEST(schema, anyof_branches_do_not_leak_paths) {
  const char* s = R"({"anyOf":[{"properties":{"a":{"type":"string"}}},{"properties":{"b":{"type":"string"}}}],
                      "properties":{"c":{"type":"integer"}}})";
  EXPECT_EQ(check(s, R"({"a":"x","b":1,"c":"no"})"), "arguments.c: expected integer, got string");
}

TEST(schema, local_refs_and_cycles) {
  const char* s = R"({"$defs":{"pos":{"type":"integer","minimum":1}},
                      "type":"object","properties":{"n":{"$ref":"#/$defs/pos"}}})";
  EXPECT_EQ(check(s, R"({"n":2})"), "");
  EXPECT_EQ(check(s, R"({"n":0})"), "arguments.n: must be >= 1, got 0");
  const char* tree = R"({"type":"object","properties":{"child":{"$ref":"#"},"v":{"type":"integer"}}})";
  EXPECT_EQ(check(tree, R"({"child":{"child":{"v":"x"}}})"), "arguments.child.child.v: expected integer, got string");
  // A reference to itself never ends: the depth guard stops it.
  EXPECT_NE(check(R"({"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})", "1").find("deeper than"),
            std::string::npos);
}

TEST(schema, boolean_schemas_and_default) {
  EXPECT_EQ(check("true", R"({"x":1})"), "");
  EXPECT_EQ(check("false", "1"), "arguments: no value is allowed here");
  tools::schema accept_all;
  EXPECT_TRUE(accept_all.validate(json::parse("[1,2]")));
}

TEST(schema, exponential_schemas_hit_the_step_budget) {
  auto s = tools::schema::compile(json::parse(R"({"anyOf":[{"$ref":"#"},{"$ref":"#"}]})"));
  ASSERT_TRUE(s);
  auto started = std::chrono::steady_clock::now();
  auto r = s->validate(json::parse("1"));
  EXPECT_FALSE(r);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}
