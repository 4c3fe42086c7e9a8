#include "agentp2p/agent/card/card.hpp"

#include <cmath>
#include <limits>

namespace agentp2p::card {

namespace json = boost::json;

std::string_view to_string(signature_state s) noexcept {
  switch (s) {
    case signature_state::unsigned_card: return "unsigned";
    case signature_state::valid: return "valid";
    case signature_state::invalid: return "invalid";
  }
  return "unsigned";
}

bool same_content(const agent_card& a, const agent_card& b) {
  return a.name == b.name && a.version == b.version && a.peer_id == b.peer_id && a.capabilities == b.capabilities &&
         a.tools == b.tools;
}

// ---- to JSON ----------------------------------------------------------------

json::value to_json(const tool_spec& t) {
  json::array params;
  params.reserve(t.parameters.size());
  for (const auto& p : t.parameters) {
    json::object o;
    o["name"] = p.name;
    o["type"] = p.type;
    o["description"] = p.description;
    o["required"] = p.required;
    params.emplace_back(std::move(o));
  }
  json::object o;
  o["name"] = t.name;
  o["description"] = t.description;
  o["parameters"] = std::move(params);
  return o;
}

json::value to_json(const agent_card& c) {
  json::array caps;
  for (const auto& s : c.capabilities) caps.emplace_back(s);
  json::array tools;
  tools.reserve(c.tools.size());
  for (const auto& t : c.tools) tools.emplace_back(to_json(t));
  json::object o;
  o["name"] = c.name;
  o["version"] = c.version;
  o["peerId"] = c.peer_id;
  o["capabilities"] = std::move(caps);
  o["tools"] = std::move(tools);
  o["timestamp"] = c.timestamp;
  if (!c.public_key.empty()) o["publicKey"] = c.public_key;
  if (!c.signature.empty()) o["signature"] = c.signature;
  return o;
}

// ---- from JSON --------------------------------------------------------------

namespace {

class reader {
 public:
  explicit reader(const limits& lim) : lim_(lim) {}

  // A string field; absent (and null) reads as "" unless `required`.
  result<std::string> string(const json::object& o, std::string_view key, const std::string& path, std::size_t max,
                             bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) return make_error(errc::decode_error, path + "." + std::string(key) + ": missing");
      return std::string();
    }
    if (!v->is_string()) return make_error(errc::decode_error, path + "." + std::string(key) + ": expected a string");
    const auto& s = v->get_string();
    if (s.size() > max)
      return make_error(errc::too_large, path + "." + std::string(key) + ": longer than " + std::to_string(max) + " bytes");
    if (required && s.empty()) return make_error(errc::decode_error, path + "." + std::string(key) + ": empty");
    return std::string(s);
  }

  // A list field: absent and null read as empty.
  result<const json::array*> list(const json::object& o, std::string_view key, const std::string& path, std::size_t max) {
    static const json::array empty;
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return &empty;
    if (!v->is_array()) return make_error(errc::decode_error, path + "." + std::string(key) + ": expected an array");
    if (v->get_array().size() > max)
      return make_error(errc::too_large, path + "." + std::string(key) + ": more than " + std::to_string(max) + " entries");
    return &v->get_array();
  }

  result<tool_parameter> parameter(const json::value& v, const std::string& path) {
    if (!v.is_object()) return make_error(errc::decode_error, path + ": expected an object");
    const auto& o = v.get_object();
    tool_parameter p;
    AP_TRY(p.name, string(o, "name", path, lim_.max_string, true));
    AP_TRY(p.type, string(o, "type", path, lim_.max_string, false));
    AP_TRY(p.description, string(o, "description", path, lim_.max_description, false));
    if (auto* r = o.if_contains("required"); r && !r->is_null()) {
      if (!r->is_bool()) return make_error(errc::decode_error, path + ".required: expected a boolean");
      p.required = r->get_bool();
    }
    return p;
  }

  result<tool_spec> tool(const json::value& v, const std::string& path) {
    if (!v.is_object()) return make_error(errc::decode_error, path + ": expected an object");
    const auto& o = v.get_object();
    tool_spec t;
    AP_TRY(t.name, string(o, "name", path, lim_.max_string, true));
    AP_TRY(t.description, string(o, "description", path, lim_.max_description, false));
    AP_TRY(auto params, list(o, "parameters", path, lim_.max_parameters));
    t.parameters.reserve(params->size());
    for (std::size_t i = 0; i < params->size(); ++i) {
      AP_TRY(auto p, parameter((*params)[i], path + ".parameters[" + std::to_string(i) + "]"));
      t.parameters.push_back(std::move(p));
    }
    return t;
  }

  result<agent_card> card(const json::value& v) {
    const std::string path = "card";
    if (!v.is_object()) return make_error(errc::decode_error, "card: expected an object");
    const auto& o = v.get_object();
    agent_card c;
    AP_TRY(c.name, string(o, "name", path, lim_.max_string, true));
    AP_TRY(c.version, string(o, "version", path, lim_.max_string, false));
    AP_TRY(c.peer_id, string(o, "peerId", path, lim_.max_string, true));
    AP_TRY(auto caps, list(o, "capabilities", path, lim_.max_capabilities));
    for (std::size_t i = 0; i < caps->size(); ++i) {
      const auto& cap = (*caps)[i];
      const auto where = path + ".capabilities[" + std::to_string(i) + "]";
      if (!cap.is_string()) return make_error(errc::decode_error, where + ": expected a string");
      if (cap.get_string().size() > lim_.max_string)
        return make_error(errc::too_large, where + ": longer than " + std::to_string(lim_.max_string) + " bytes");
      c.capabilities.emplace_back(cap.get_string());
    }
    AP_TRY(auto tools, list(o, "tools", path, lim_.max_tools));
    c.tools.reserve(tools->size());
    for (std::size_t i = 0; i < tools->size(); ++i) {
      AP_TRY(auto t, tool((*tools)[i], path + ".tools[" + std::to_string(i) + "]"));
      c.tools.push_back(std::move(t));
    }
    if (auto* ts = o.if_contains("timestamp"); ts && !ts->is_null()) {
      if (ts->is_int64()) {
        c.timestamp = ts->get_int64();
      } else if (ts->is_uint64() && ts->get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
        c.timestamp = static_cast<std::int64_t>(ts->get_uint64());
      } else if (ts->is_double() && std::isfinite(ts->get_double()) && std::fabs(ts->get_double()) < 9e18) {
        c.timestamp = static_cast<std::int64_t>(ts->get_double());
      } else {
        return make_error(errc::decode_error, "card.timestamp: expected an integer (Unix seconds)");
      }
    }
    AP_TRY(c.public_key, string(o, "publicKey", path, lim_.max_signature_field, false));
    AP_TRY(c.signature, string(o, "signature", path, lim_.max_signature_field, false));
    return c;
  }

 private:
  const limits& lim_;
};

std::string type_of(const json::value& prop) {
  if (!prop.is_object()) return "any";
  const auto& o = prop.get_object();
  if (auto* t = o.if_contains("type")) {
    if (t->is_string()) return std::string(t->get_string());
    if (t->is_array())  // ["string","null"] → "string"
      for (const auto& n : t->get_array())
        if (n.is_string() && n.get_string() != "null") return std::string(n.get_string());
  }
  if (o.contains("properties")) return "object";
  if (o.contains("items")) return "array";
  return "any";
}

}  // namespace

result<agent_card> from_json(const json::value& v, const limits& lim) { return reader(lim).card(v); }

result<tool_spec> tool_spec_from_json(const json::value& v, const limits& lim) { return reader(lim).tool(v, "tool"); }

// ---- from the tool registry ---------------------------------------------------

std::vector<tool_parameter> parameters_from_schema(const json::object& schema) {
  std::vector<tool_parameter> out;
  auto* props = schema.if_contains("properties");
  if (!props || !props->is_object()) return out;
  const json::array* required = nullptr;
  if (auto* r = schema.if_contains("required"); r && r->is_array()) required = &r->get_array();
  for (const auto& kv : props->get_object()) {
    tool_parameter p;
    p.name = std::string(kv.key());
    p.type = type_of(kv.value());
    if (kv.value().is_object())
      if (auto* d = kv.value().get_object().if_contains("description"); d && d->is_string())
        p.description = std::string(d->get_string());
    if (required)
      for (const auto& n : *required)
        if (n.is_string() && n.get_string() == kv.key()) p.required = true;
    out.push_back(std::move(p));
  }
  return out;
}

tool_spec spec_of(const tools::tool_definition& def) {
  return tool_spec{def.name, def.description, parameters_from_schema(def.input_schema)};
}

}  // namespace agentp2p::card
