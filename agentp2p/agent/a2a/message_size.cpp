#include "agentp2p/agent/a2a/message_size.hpp"

#include <array>
#include <boost/json/serializer.hpp>
#include <string_view>

namespace agentp2p::a2a {

namespace json = boost::json;

namespace {

// "key": plus a separator, counted for every field present.
constexpr std::size_t field_overhead = 24;

// A JSON string's length with quotes and escapes (as Boost.JSON writes it:
// UTF-8 kept, two-character escapes for " \ and \b\f\n\r\t, \u00XX for the
// other control characters).
std::size_t string_size(std::string_view s) {
  std::size_t n = 2 + s.size();
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      n += 1;
    else if (c < 0x20)
      n += (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') ? 1 : 5;
  }
  return n;
}

// A JSON value's or object's serialized length, serialized through a stack
// buffer (no string is allocated for it).
template <class Json>
std::size_t serialized_size(const Json& v) {
  json::serializer sr;
  sr.reset(&v);
  std::array<char, 1024> buf;
  std::size_t n = 0;
  while (!sr.done()) n += sr.read(buf.data(), buf.size()).size();
  return n;
}

std::size_t part_size(const part& p) {
  std::size_t n = 2;
  if (const auto* t = p.as_text()) {
    n += field_overhead + string_size(t->text);
  } else if (const auto* f = p.as_file()) {
    n += field_overhead + string_size(f->bytes.empty() ? f->uri : f->bytes);
  } else if (const auto* d = p.as_data()) {
    n += field_overhead + serialized_size(d->data);
  }
  if (!p.filename.empty()) n += field_overhead + string_size(p.filename);
  if (!p.media_type.empty()) n += field_overhead + string_size(p.media_type);
  if (p.metadata) n += field_overhead + serialized_size(*p.metadata);
  return n;
}

}  // namespace

std::size_t json_size(const message& m) {
  std::size_t n = 2 + 2 * field_overhead + string_size(m.message_id) + string_size("ROLE_AGENT");
  if (!m.context_id.empty()) n += field_overhead + string_size(m.context_id);
  if (!m.task_id.empty()) n += field_overhead + string_size(m.task_id);
  n += field_overhead + 2;
  for (const auto& p : m.parts) n += part_size(p) + 1;
  if (m.metadata) n += field_overhead + serialized_size(*m.metadata);
  if (!m.extensions.empty()) n += field_overhead + 2;
  for (const auto& e : m.extensions) n += string_size(e) + 1;
  if (!m.reference_task_ids.empty()) n += field_overhead + 2;
  for (const auto& id : m.reference_task_ids) n += string_size(id) + 1;
  return n;
}

}  // namespace agentp2p::a2a
