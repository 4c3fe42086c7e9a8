#include "agentp2p/multiformats/multiaddr.hpp"

#include <functional>

#include "agentp2p/base/uvarint.hpp"
#include "agentp2p/multiformats/multiaddr_values.hpp"
#include "agentp2p/multiformats/protocols.hpp"
#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats {
namespace {

agentp2p::error too_large_error(std::string_view what) {
  return make_error(errc::too_large, "multiaddr: " + std::string(what));
}

agentp2p::error too_many_components() {
  return too_large_error("more than " + std::to_string(max_multiaddr_components) + " components");
}

agentp2p::error too_many_bytes() {
  return too_large_error("longer than " + std::to_string(max_multiaddr_size) + " bytes");
}

// A path value (unix) runs to the end of the string form, so nothing may
// follow it in binary either, or the address would not print back.
agentp2p::error after_path(const protocol_info& path) {
  return make_error(errc::decode_error, "multiaddr: " + std::string(path.name) + " must be the last component");
}

struct raw_component {
  const protocol_info* info;
  byte_span value;
  std::size_t length;  // code + length prefix + value
};

// Reads and validates the component at the start of `in`.
result<raw_component> read_component(byte_span in, std::size_t offset) {
  auto at = [&] { return " at byte " + std::to_string(offset); };
  auto code = uvarint::decode(in);
  if (!code) return make_error(errc::decode_error, "multiaddr: bad protocol code" + at() + ": " + code.error().message);
  const auto* info = protocol_by_code(code->value);
  if (!info)
    return make_error(errc::decode_error, "multiaddr: unknown protocol code " + std::to_string(code->value) + at());
  std::size_t pos = code->length;
  std::uint64_t size = static_cast<std::uint64_t>(info->size);
  if (info->size == variable_size) {
    auto length = uvarint::decode(in.subspan(pos));
    if (!length)
      return make_error(errc::decode_error, "multiaddr: bad " + std::string(info->name) + " value length" + at() +
                                                ": " + length.error().message);
    if (length->value == 0)
      return make_error(errc::decode_error, "multiaddr: empty " + std::string(info->name) + " value" + at());
    size = length->value;
    pos += length->length;
  }
  if (size > in.size() - pos)
    return make_error(errc::decode_error, "multiaddr: " + std::string(info->name) + " value truncated" + at() +
                                              " (needs " + std::to_string(size) + " bytes, " +
                                              std::to_string(in.size() - pos) + " left)");
  auto value = in.subspan(pos, size);
  AP_TRYV(detail::validate_value(*info, value));
  return raw_component{info, value, pos + size};
}

// Calls fn(raw_component, offset) for each component of an already-valid address.
template <class Fn>
void for_each_component(const bytes& b, Fn&& fn) {
  std::size_t offset = 0;
  while (offset < b.size()) {
    auto c = read_component(byte_span(b).subspan(offset), offset);
    if (!c) return;  // unreachable: the bytes were validated on construction
    if (!fn(*c, offset)) return;
    offset += c->length;
  }
}

void append_component(bytes& out, const protocol_info& p, byte_span value) {
  uvarint::append(out, static_cast<std::uint64_t>(p.code));
  if (p.size == variable_size) uvarint::append(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}

std::string component_string(const protocol_info& p, byte_span value) {
  std::string out = "/" + std::string(p.name);
  if (p.size == 0) return out;
  if (!p.path) out.push_back('/');  // a path value brings its own leading '/'
  return out + detail::value_to_string(p, value);
}

}  // namespace

std::string_view component::name() const {
  const auto* p = protocol_by_code(static_cast<std::uint64_t>(code));
  return p ? p->name : std::string_view("unknown");
}

std::string component::value_string() const {
  const auto* p = protocol_by_code(static_cast<std::uint64_t>(code));
  if (p && p->size == 0 && value.empty()) return {};
  bool size_ok = p && (p->size == variable_size ? !value.empty() : value.size() == static_cast<std::size_t>(p->size));
  if (!size_ok || !detail::validate_value(*p, value)) return "0x" + to_hex(value);
  return detail::value_to_string(*p, value);
}

result<multiaddr> multiaddr::parse(std::string_view text) {
  if (text.size() > max_multiaddr_text)
    return too_large_error("text longer than " + std::to_string(max_multiaddr_text) + " characters");
  // Trailing slashes are accepted and ignored, as in go-multiaddr.
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  if (text.empty()) return make_error(errc::decode_error, "multiaddr: empty address");
  if (text[0] != '/')
    return make_error(errc::decode_error, "multiaddr: must begin with '/': " + detail::quote(text));

  // Splits off the token that starts at `pos` (just after a '/').
  std::size_t pos = 1;
  auto next_token = [&] {
    auto end = text.find('/', pos);
    if (end == std::string_view::npos) end = text.size();
    auto token = text.substr(pos, end - pos);
    pos = end + 1;
    return token;
  };

  bytes out;
  std::size_t count = 0;
  while (pos <= text.size()) {
    auto name = next_token();
    if (name.empty())
      return make_error(errc::decode_error, "multiaddr: empty protocol name in " + detail::quote(text));
    const auto* p = protocol_by_name(name);
    if (!p) return make_error(errc::decode_error, "multiaddr: unknown protocol " + detail::quote(name));
    if (++count > max_multiaddr_components) return too_many_components();
    if (p->size == 0) {
      append_component(out, *p, {});
    } else {
      if (pos > text.size())
        return make_error(errc::decode_error, "multiaddr: missing value for " + std::string(p->name));
      std::string_view value_text;
      if (p->path) {
        value_text = text.substr(pos - 1);  // the rest, with its leading '/'
        pos = text.size() + 1;
      } else {
        value_text = next_token();
      }
      AP_TRY(auto value, detail::value_from_string(*p, value_text));
      append_component(out, *p, value);
    }
    if (out.size() > max_multiaddr_size) return too_many_bytes();
  }
  return multiaddr(std::move(out));
}

result<multiaddr> multiaddr::from_bytes(byte_span binary) {
  if (binary.empty()) return make_error(errc::decode_error, "multiaddr: empty address");
  if (binary.size() > max_multiaddr_size) return too_many_bytes();
  std::size_t offset = 0, count = 0;
  const protocol_info* previous = nullptr;
  while (offset < binary.size()) {
    if (++count > max_multiaddr_components) return too_many_components();
    if (previous && previous->path) return after_path(*previous);
    AP_TRY(auto c, read_component(binary.subspan(offset), offset));
    offset += c.length;
    previous = c.info;
  }
  return multiaddr(bytes(binary.begin(), binary.end()));
}

result<multiaddr> multiaddr::from_components(std::vector<component> parts) {
  if (parts.empty()) return make_error(errc::invalid_argument, "multiaddr: no components");
  if (parts.size() > max_multiaddr_components) return too_many_components();
  bytes out;
  const protocol_info* previous = nullptr;
  for (const auto& c : parts) {
    if (previous && previous->path) return after_path(*previous);
    const auto* p = protocol_by_code(static_cast<std::uint64_t>(c.code));
    if (!p)
      return make_error(errc::invalid_argument,
                        "multiaddr: unknown protocol code " + std::to_string(static_cast<std::uint64_t>(c.code)));
    bool size_ok = p->size == variable_size ? !c.value.empty() : c.value.size() == static_cast<std::size_t>(p->size);
    if (!size_ok)
      return make_error(errc::invalid_argument, "multiaddr: " + std::string(p->name) + " value of " +
                                                    std::to_string(c.value.size()) + " bytes has the wrong size");
    AP_TRYV(detail::validate_value(*p, c.value));
    append_component(out, *p, c.value);
    previous = p;
    if (out.size() > max_multiaddr_size) return too_many_bytes();
  }
  return multiaddr(std::move(out));
}

std::string multiaddr::to_string() const {
  std::string out;
  for_each_component(bytes_, [&](const raw_component& c, std::size_t) {
    out += component_string(*c.info, c.value);
    return true;
  });
  return out;
}

std::vector<component> multiaddr::components() const {
  std::vector<component> out;
  for_each_component(bytes_, [&](const raw_component& c, std::size_t) {
    out.push_back(component{c.info->code, bytes(c.value.begin(), c.value.end())});
    return true;
  });
  return out;
}

std::optional<component> multiaddr::find(protocol_code code) const {
  std::optional<component> found;
  for_each_component(bytes_, [&](const raw_component& c, std::size_t) {
    if (c.info->code != code) return true;
    found = component{code, bytes(c.value.begin(), c.value.end())};
    return false;
  });
  return found;
}

std::optional<std::string> multiaddr::value_for(protocol_code code) const {
  auto c = find(code);
  if (!c) return std::nullopt;
  return c->value_string();
}

multiaddr multiaddr::encapsulate(const multiaddr& inner) const {
  bytes out = bytes_;
  out.insert(out.end(), inner.bytes_.begin(), inner.bytes_.end());
  return multiaddr(std::move(out));
}

multiaddr multiaddr::decapsulate(protocol_code code) const {
  std::optional<std::size_t> cut;
  for_each_component(bytes_, [&](const raw_component& c, std::size_t offset) {
    if (c.info->code == code) cut = offset;
    return true;
  });
  if (!cut) return *this;
  return multiaddr(bytes(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(*cut)));
}

}  // namespace agentp2p::multiformats

std::size_t std::hash<agentp2p::multiformats::multiaddr>::operator()(
    const agentp2p::multiformats::multiaddr& m) const noexcept {
  return std::hash<std::string_view>{}(agentp2p::as_string_view(m.to_bytes()));
}
