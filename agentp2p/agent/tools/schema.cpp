#include "agentp2p/agent/tools/schema.hpp"

#include <charconv>
#include <cstdint>
#include <iterator>
#include <cmath>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/json/serialize.hpp>

namespace agentp2p::tools {

namespace json = boost::json;

struct schema::impl {
  json::value root;
  schema_limits limits;
  // Pattern text → compiled whole-string matcher (see compile_pattern).
  std::unordered_map<std::string, std::regex> patterns;
  // Schema object (in `root`) → the validation keywords it has (keyword_bit).
  // A validator asks each schema for ~25 keywords, most of them absent;
  // looking each up in the object was most of the cost of a small check.
  std::unordered_map<const json::object*, std::uint64_t> keywords;

  std::uint64_t keywords_of(const json::object& o) const {
    auto it = keywords.find(&o);
    return it == keywords.end() ? ~std::uint64_t{0} : it->second;  // not a walked schema: look everything up
  }
};

namespace {

// The keywords the validator reads; a schema's set of them is one mask.
constexpr std::string_view validation_keywords[] = {
    "$ref", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "prefixItems", "items", "additionalItems",
    "contains", "uniqueItems", "minProperties", "maxProperties", "required", "properties", "patternProperties",
    "additionalProperties", "propertyNames", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"};
static_assert(std::size(validation_keywords) <= 64);

constexpr std::uint64_t keyword_bit(std::string_view k) {
  for (std::size_t i = 0; i < std::size(validation_keywords); ++i)
    if (validation_keywords[i] == k) return std::uint64_t{1} << i;
  return 0;
}

template <std::size_t N>
struct keyword_name {
  char text[N];
  consteval keyword_name(const char (&k)[N]) {
    for (std::size_t i = 0; i < N; ++i) text[i] = k[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

// A schema object and its keyword mask: get<"type">() skips the lookup of an
// absent keyword.
struct schema_node {
  const json::object& o;
  std::uint64_t mask;

  template <keyword_name K>
  const json::value* get() const {
    constexpr std::uint64_t bit = keyword_bit(K.view());
    static_assert(bit != 0, "not a validation keyword");
    return (mask & bit) ? o.if_contains(K.view()) : nullptr;
  }
  template <keyword_name K>
  bool has() const {
    return get<K>() != nullptr;
  }
};

constexpr std::size_t max_brief = 80;  // how much of a value an error message quotes

std::string brief(const json::value& v) {
  if (v.is_double()) {  // shortest form ("10.5", not Boost.JSON's "1.05E1")
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
    return std::string(buf, r.ptr);
  }
  auto s = json::serialize(v);
  if (s.size() > max_brief) s = s.substr(0, max_brief) + "...";
  return s;
}

std::optional<long double> number_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64: return static_cast<long double>(v.get_int64());
    case json::kind::uint64: return static_cast<long double>(v.get_uint64());
    case json::kind::double_: return static_cast<long double>(v.get_double());
    default: return std::nullopt;
  }
}

bool is_integral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (!v.is_double()) return false;
  double d = v.get_double();
  return std::isfinite(d) && std::trunc(d) == d;
}

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

bool is_type_name(std::string_view t) {
  return t == "null" || t == "boolean" || t == "object" || t == "array" || t == "number" || t == "integer" ||
         t == "string";
}

bool has_type(const json::value& v, std::string_view t) {
  if (t == "null") return v.is_null();
  if (t == "boolean") return v.is_bool();
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "number") return v.is_number();
  if (t == "integer") return is_integral(v);
  return false;
}

// JSON equality as JSON Schema defines it: 1 and 1.0 are the same number.
bool json_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return *number_of(a) == *number_of(b);
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!json_equal(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      auto* other = y.if_contains(kv.key());
      if (!other || !json_equal(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

bool is_identifier(std::string_view k) {
  if (k.empty() || k.size() > 64) return false;
  for (std::size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
    if (!ok) return false;
  }
  return true;
}

// Resolves a same-document "$ref"; nullptr when it does not.
const json::value* resolve_ref(const json::value& root, std::string_view ref) {
  if (ref.empty() || ref.front() != '#') return nullptr;
  ref.remove_prefix(1);
  if (ref.empty()) return &root;
  boost::system::error_code ec;
  const json::value* target = root.find_pointer(ref, ec);
  return ec ? nullptr : target;
}

// An unanchored search ("pattern" matches anywhere in the string) written as
// a whole-string match, which the polynomial (breadth-first) executor runs
// in one pass over the input instead of one pass per start position.
// Anchors keep their meaning: ^ and $ still only match at the ends.
std::regex compile_pattern(const std::string& p) {
  constexpr auto flags = std::regex::ECMAScript | std::regex_constants::__polynomial;
  std::regex standalone(p, flags);  // throws on a malformed or back-referencing pattern
  (void)standalone;
  return std::regex("[\\s\\S]*?(?:" + p + ")[\\s\\S]*", flags);
}

// ---- checking the schema itself ---------------------------------------------

class compiler {
 public:
  compiler(schema::impl& out) : out_(out) {}

  result<void> walk(const json::value& s, std::string& where, std::size_t depth) {
    if (depth > out_.limits.max_depth) return bad(where, "nested more than " + std::to_string(out_.limits.max_depth) + " levels deep");
    if (s.is_bool()) return ok();
    if (!s.is_object()) return bad(where, "a schema must be an object or a boolean, got " + std::string(kind_name(s)));
    std::uint64_t mask = 0;
    for (const auto& kv : s.get_object()) {
      const std::string_view k = kv.key();
      const json::value& v = kv.value();
      mask |= keyword_bit(k);
      const auto mark = where.size();
      where.append("/").append(k);
      AP_TRYV(keyword(k, v, where, depth));
      where.resize(mark);
    }
    out_.keywords[&s.get_object()] = mask;
    return ok();
  }

 private:
  result<void> keyword(std::string_view k, const json::value& v, std::string& where, std::size_t depth) {
    if (k == "type") {
      if (v.is_string()) {
        if (!is_type_name(v.get_string())) return bad(where, "unknown type \"" + std::string(v.get_string()) + "\"");
        return ok();
      }
      if (!v.is_array() || v.get_array().empty()) return bad(where, "must be a type name or a non-empty list of them");
      for (const auto& t : v.get_array())
        if (!t.is_string() || !is_type_name(t.get_string())) return bad(where, "unknown type " + brief(t));
      return ok();
    }
    if (k == "enum") return v.is_array() ? ok() : bad(where, "must be an array");
    if (k == "minimum" || k == "maximum") return v.is_number() ? ok() : bad(where, "must be a number");
    if (k == "multipleOf")
      return v.is_number() && *number_of(v) > 0 ? ok() : bad(where, "must be a number greater than 0");
    if (k == "exclusiveMinimum" || k == "exclusiveMaximum")
      return v.is_number() || v.is_bool() ? ok() : bad(where, "must be a number");
    if (k == "minLength" || k == "maxLength" || k == "minItems" || k == "maxItems" || k == "minProperties" ||
        k == "maxProperties")
      return is_integral(v) && *number_of(v) >= 0 ? ok() : bad(where, "must be a non-negative integer");
    if (k == "uniqueItems") return v.is_bool() ? ok() : bad(where, "must be a boolean");
    if (k == "pattern") {
      if (!v.is_string()) return bad(where, "must be a string");
      return add_pattern(std::string(v.get_string()), where);
    }
    if (k == "required") {
      if (!v.is_array()) return bad(where, "must be an array of property names");
      for (const auto& n : v.get_array())
        if (!n.is_string()) return bad(where, "must be an array of property names");
      return ok();
    }
    if (k == "properties" || k == "patternProperties" || k == "$defs" || k == "definitions") {
      if (!v.is_object()) return bad(where, "must be an object of schemas");
      for (const auto& p : v.get_object()) {
        const auto mark = where.size();
        where.append("/").append(p.key());
        if (k == "patternProperties") AP_TRYV(add_pattern(std::string(p.key()), where));
        AP_TRYV(walk(p.value(), where, depth + 1));
        where.resize(mark);
      }
      return ok();
    }
    if (k == "additionalProperties" || k == "additionalItems" || k == "not" || k == "if" || k == "then" ||
        k == "else" || k == "contains" || k == "propertyNames")
      return walk(v, where, depth + 1);
    if (k == "items" && !v.is_array()) return walk(v, where, depth + 1);
    if (k == "items" || k == "prefixItems" || k == "allOf" || k == "anyOf" || k == "oneOf") {
      if (!v.is_array() || v.get_array().empty()) return bad(where, "must be a non-empty array of schemas");
      std::size_t i = 0;
      for (const auto& sub : v.get_array()) {
        const auto mark = where.size();
        where.append("/").append(std::to_string(i++));
        AP_TRYV(walk(sub, where, depth + 1));
        where.resize(mark);
      }
      return ok();
    }
    if (k == "$ref") {
      if (!v.is_string()) return bad(where, "must be a string");
      if (!resolve_ref(out_.root, v.get_string()))
        return bad(where, "\"" + std::string(v.get_string()) + "\" does not resolve (only references within the schema are supported)");
      return ok();
    }
    return ok();  // an annotation or a keyword we do not check
  }

  result<void> add_pattern(std::string p, const std::string& where) {
    if (p.size() > out_.limits.max_pattern_length)
      return bad(where, "pattern longer than " + std::to_string(out_.limits.max_pattern_length) + " characters");
    if (out_.patterns.count(p)) return ok();
    try {
      auto re = compile_pattern(p);
      out_.patterns.emplace(std::move(p), std::move(re));
    } catch (const std::regex_error& e) {
      return bad(where, "pattern does not compile (back-references are not supported): " + std::string(e.what()));
    }
    return ok();
  }

  static agentp2p::error bad(const std::string& where, const std::string& what) {
    return make_error(errc::invalid_argument, "schema at #" + where + ": " + what);
  }

  schema::impl& out_;
};

// ---- checking an instance ---------------------------------------------------

// Restores a path on every way out of a scope (alternatives of anyOf reuse it).
struct path_guard {
  std::string& path;
  std::size_t mark;
  path_guard(std::string& p, std::size_t m) : path(p), mark(m) {}
  ~path_guard() { path.resize(mark); }
};

class validator {
 public:
  validator(const schema::impl& s, std::string_view root) : s_(s), path_(root) {}

  // The first violation, already prefixed with its path.
  std::optional<std::string> check(const json::value& sch, const json::value& v, std::size_t depth) {
    if (sch.is_bool()) return sch.get_bool() ? std::nullopt : fail("no value is allowed here");
    if (!sch.is_object()) return std::nullopt;  // compile() refused these
    if (depth > s_.limits.max_depth)
      return fail("schema nesting deeper than " + std::to_string(s_.limits.max_depth) + " (a $ref cycle?)");
    if (++steps_ > s_.limits.max_steps)
      return fail("too complex to check (more than " + std::to_string(s_.limits.max_steps) + " steps)");
    const schema_node o{sch.get_object(), s_.keywords_of(sch.get_object())};

    if (auto* ref = o.get<"$ref">(); ref && ref->is_string()) {
      if (auto* target = resolve_ref(s_.root, ref->get_string()))
        if (auto e = check(*target, v, depth + 1)) return e;
    }
    if (auto* t = o.get<"type">()) {
      if (auto e = check_type(*t, v)) return e;
    }
    if (auto* e = o.get<"enum">(); e && e->is_array()) {
      bool found = false;
      for (const auto& c : e->get_array())
        if (json_equal(c, v)) { found = true; break; }
      if (!found) return fail("must be one of " + brief(*e) + ", got " + brief(v));
    }
    if (auto* c = o.get<"const">(); c && !json_equal(*c, v)) return fail("must be " + brief(*c) + ", got " + brief(v));

    if (v.is_number()) { if (auto e = check_number(o, v)) return e; }
    else if (v.is_string()) { if (auto e = check_string(o, v.get_string())) return e; }
    else if (v.is_array()) { if (auto e = check_array(o, v.get_array(), depth)) return e; }
    else if (v.is_object()) { if (auto e = check_object(o, v.get_object(), depth)) return e; }

    return check_combinators(o, v, depth);
  }

 private:
  std::optional<std::string> fail(const std::string& what) const { return path_ + ": " + what; }

  std::optional<std::string> check_type(const json::value& t, const json::value& v) {
    if (t.is_string()) {
      if (has_type(v, t.get_string())) return std::nullopt;
      return fail("expected " + std::string(t.get_string()) + ", got " + std::string(kind_name(v)));
    }
    if (!t.is_array()) return std::nullopt;
    std::string names;
    for (const auto& n : t.get_array()) {
      if (!n.is_string()) continue;
      if (has_type(v, n.get_string())) return std::nullopt;
      if (!names.empty()) names += " or ";
      names += n.get_string();
    }
    return fail("expected " + names + ", got " + std::string(kind_name(v)));
  }

  std::optional<std::string> check_number(const schema_node& o, const json::value& v) {
    const long double x = *number_of(v);
    auto limit = [](const json::value* p) { return p ? number_of(*p) : std::nullopt; };
    auto flag = [](const json::value* p) { return p && p->is_bool() && p->get_bool(); };  // draft 4: a modifier of minimum/maximum
    const auto* exclusive_min = o.get<"exclusiveMinimum">();
    const auto* exclusive_max = o.get<"exclusiveMaximum">();
    if (const auto* p = o.get<"minimum">(); auto m = limit(p)) {
      if (flag(exclusive_min) ? x <= *m : x < *m)
        return fail("must be " + std::string(flag(exclusive_min) ? "> " : ">= ") + brief(*p) + ", got " + brief(v));
    }
    if (const auto* p = o.get<"maximum">(); auto m = limit(p)) {
      if (flag(exclusive_max) ? x >= *m : x > *m)
        return fail("must be " + std::string(flag(exclusive_max) ? "< " : "<= ") + brief(*p) + ", got " + brief(v));
    }
    if (auto m = limit(exclusive_min); m && x <= *m) return fail("must be > " + brief(*exclusive_min) + ", got " + brief(v));
    if (auto m = limit(exclusive_max); m && x >= *m) return fail("must be < " + brief(*exclusive_max) + ", got " + brief(v));
    if (const auto* p = o.get<"multipleOf">(); auto m = limit(p)) {
      if (*m > 0) {
        long double q = x / *m;
        if (!std::isfinite(static_cast<double>(q)) || std::fabs(static_cast<double>(q - std::roundl(q))) > 1e-9)
          return fail("must be a multiple of " + brief(*p) + ", got " + brief(v));
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> check_string(const schema_node& o, std::string_view s) {
    if (o.has<"minLength">() || o.has<"maxLength">()) {
      const auto n = code_points(s);
      if (auto* m = o.get<"minLength">(); m && n < *number_of(*m))
        return fail("must be at least " + brief(*m) + " characters long, got " + std::to_string(n));
      if (auto* m = o.get<"maxLength">(); m && n > *number_of(*m))
        return fail("must be at most " + brief(*m) + " characters long, got " + std::to_string(n));
    }
    if (auto* p = o.get<"pattern">(); p && p->is_string()) {
      if (!matches(std::string(p->get_string()), s, "pattern " + brief(*p))) return last_;
    }
    return std::nullopt;
  }

  // True when `s` matches `pattern`; else the reason is in last_.
  bool matches(const std::string& pattern, std::string_view s, const std::string& what) {
    auto it = s_.patterns.find(pattern);
    if (it == s_.patterns.end()) return true;  // compile() saw every pattern; unreachable
    if (s.size() > s_.limits.max_pattern_input) {
      last_ = fail("too long to check against " + what + " (limit " + std::to_string(s_.limits.max_pattern_input) + " bytes)");
      return false;
    }
    try {
      if (std::regex_match(s.begin(), s.end(), it->second)) return true;
      last_ = fail("does not match " + what);
    } catch (const std::exception& e) {  // regex_error (complexity, stack): a failure, not a crash
      last_ = fail("could not be checked against " + what + ": " + e.what());
    }
    return false;
  }

  std::optional<std::string> check_array(const schema_node& o, const json::array& a, std::size_t depth) {
    if (auto* m = o.get<"minItems">(); m && a.size() < *number_of(*m))
      return fail("must have at least " + brief(*m) + " items, got " + std::to_string(a.size()));
    if (auto* m = o.get<"maxItems">(); m && a.size() > *number_of(*m))
      return fail("must have at most " + brief(*m) + " items, got " + std::to_string(a.size()));

    std::size_t positional = 0;  // items covered by prefixItems / tuple-form items
    const json::array* tuple = nullptr;
    if (auto* p = o.get<"prefixItems">(); p && p->is_array()) tuple = &p->get_array();
    auto* items = o.get<"items">();
    if (!tuple && items && items->is_array()) tuple = &items->get_array();
    if (tuple) {
      positional = std::min(tuple->size(), a.size());
      for (std::size_t i = 0; i < positional; ++i)
        if (auto e = at_index(i, (*tuple)[i], a[i], depth)) return e;
    }
    const json::value* rest = nullptr;
    if (items && !items->is_array()) rest = items;
    else if (items && items->is_array()) rest = o.get<"additionalItems">();
    if (rest)
      for (std::size_t i = positional; i < a.size(); ++i)
        if (auto e = at_index(i, *rest, a[i], depth)) return e;

    if (auto* c = o.get<"contains">()) {
      bool any = false;
      for (const auto& item : a)
        if (!check(*c, item, depth + 1)) { any = true; break; }
      if (!any) return fail("must contain at least one matching item");
    }
    if (auto* u = o.get<"uniqueItems">(); u && u->is_bool() && u->get_bool()) {
      if (auto dup = find_duplicate(a)) return fail("items must be unique; item " + std::to_string(*dup) + " repeats an earlier one");
    }
    return std::nullopt;
  }

  static std::optional<std::size_t> find_duplicate(const json::array& a) {
    // Pairwise for small arrays (exact JSON Schema equality); by serialized
    // form beyond, so a large array costs linear time.
    constexpr std::size_t pairwise_limit = 512;
    if (a.size() <= pairwise_limit) {
      for (std::size_t i = 1; i < a.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (json_equal(a[i], a[j])) return i;
      return std::nullopt;
    }
    std::unordered_set<std::string> seen;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!seen.insert(json::serialize(a[i])).second) return i;
    return std::nullopt;
  }

  std::optional<std::string> check_object(const schema_node& o, const json::object& obj, std::size_t depth) {
    if (auto* m = o.get<"minProperties">(); m && obj.size() < *number_of(*m))
      return fail("must have at least " + brief(*m) + " properties, got " + std::to_string(obj.size()));
    if (auto* m = o.get<"maxProperties">(); m && obj.size() > *number_of(*m))
      return fail("must have at most " + brief(*m) + " properties, got " + std::to_string(obj.size()));
    if (auto* r = o.get<"required">(); r && r->is_array()) {
      for (const auto& n : r->get_array()) {
        if (!n.is_string() || obj.contains(n.get_string())) continue;
        path_guard g(path_, push_key(n.get_string()));
        return fail("required field is missing");
      }
    }
    const json::object* props = nullptr;
    if (auto* p = o.get<"properties">(); p && p->is_object()) props = &p->get_object();
    const json::object* pattern_props = nullptr;
    if (auto* p = o.get<"patternProperties">(); p && p->is_object()) pattern_props = &p->get_object();
    const json::value* additional = o.get<"additionalProperties">();
    const json::value* names = o.get<"propertyNames">();

    for (const auto& kv : obj) {
      const std::string_view key = kv.key();
      path_guard g(path_, push_key(key));
      bool covered = false;
      if (names) {
        if (auto e = check(*names, json::value(json::string(key)), depth + 1)) return e;
      }
      if (props) {
        if (auto* sub = props->if_contains(key)) {
          covered = true;
          if (auto e = check(*sub, kv.value(), depth + 1)) return e;
        }
      }
      if (pattern_props) {
        for (const auto& pp : *pattern_props) {
          auto it = s_.patterns.find(std::string(pp.key()));
          if (it == s_.patterns.end() || key.size() > s_.limits.max_pattern_input) continue;
          bool hit = false;
          try {
            hit = std::regex_match(key.begin(), key.end(), it->second);
          } catch (const std::exception&) {
          }
          if (!hit) continue;
          covered = true;
          if (auto e = check(pp.value(), kv.value(), depth + 1)) return e;
        }
      }
      if (!covered && additional) {
        if (additional->is_bool() && !additional->get_bool()) return fail("unknown field (additional properties are not allowed)");
        if (auto e = check(*additional, kv.value(), depth + 1)) return e;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> check_combinators(const schema_node& o, const json::value& v, std::size_t depth) {
    if (auto* all = o.get<"allOf">(); all && all->is_array()) {
      for (const auto& sub : all->get_array())
        if (auto e = check(sub, v, depth + 1)) return e;
    }
    if (auto* any = o.get<"anyOf">(); any && any->is_array()) {
      std::optional<std::string> first;
      bool matched = false;
      for (const auto& sub : any->get_array()) {
        auto e = check(sub, v, depth + 1);
        if (!e) { matched = true; break; }
        if (!first) first = std::move(e);
      }
      if (!matched) return fail("matches none of the allowed alternatives (anyOf); the first says: " + first.value_or(""));
    }
    if (auto* one = o.get<"oneOf">(); one && one->is_array()) {
      std::optional<std::string> first;
      std::vector<std::size_t> matched;
      std::size_t i = 0;
      for (const auto& sub : one->get_array()) {
        auto e = check(sub, v, depth + 1);
        if (!e) matched.push_back(i);
        else if (!first) first = std::move(e);
        ++i;
      }
      if (matched.empty()) return fail("matches none of the alternatives (oneOf); the first says: " + first.value_or(""));
      if (matched.size() > 1)
        return fail("matches more than one alternative of oneOf (" + std::to_string(matched[0]) + " and " +
                    std::to_string(matched[1]) + ")");
    }
    if (auto* n = o.get<"not">()) {
      if (!check(*n, v, depth + 1)) return fail("must not match the schema under \"not\"");
    }
    if (auto* cond = o.get<"if">()) {
      const bool holds = !check(*cond, v, depth + 1);
      if (auto* branch = holds ? o.get<"then">() : o.get<"else">())
        if (auto e = check(*branch, v, depth + 1)) return e;
    }
    return std::nullopt;
  }

  std::optional<std::string> at_index(std::size_t i, const json::value& sch, const json::value& v, std::size_t depth) {
    path_guard g(path_, path_.size());
    path_ += "[" + std::to_string(i) + "]";
    return check(sch, v, depth + 1);
  }

  std::size_t push_key(std::string_view key) {
    const auto mark = path_.size();
    if (is_identifier(key)) {
      path_.append(".").append(key);
    } else {
      auto quoted = json::serialize(json::value(json::string(key.substr(0, 64))));
      path_.append("[").append(quoted).append("]");
    }
    return mark;
  }

  const schema::impl& s_;
  std::string path_;
  std::optional<std::string> last_;
  std::size_t steps_ = 0;
};

}  // namespace

schema::schema() : impl_(std::make_shared<impl>(impl{json::value(true), {}, {}})) {}

result<schema> schema::compile(json::value s, schema_limits limits) {
  auto p = std::make_shared<impl>();
  p->root = std::move(s);
  p->limits = limits;
  compiler c(*p);
  std::string where;
  AP_TRYV(c.walk(p->root, where, 0));
  return schema(std::move(p));
}

result<void> schema::validate(const json::value& instance, std::string_view root) const {
  validator v(*impl_, root);
  if (auto e = v.check(impl_->root, instance, 0)) return make_error(errc::invalid_argument, std::move(*e));
  return ok();
}

const json::value& schema::json() const noexcept { return impl_->root; }

result<void> validate(const json::value& schema_json, const json::value& instance, std::string_view root) {
  AP_TRY(auto s, schema::compile(schema_json));
  return s.validate(instance, root);
}

}  // namespace agentp2p::tools
