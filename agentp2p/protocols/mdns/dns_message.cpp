#include "agentp2p/protocols/mdns/dns_message.hpp"

#include <algorithm>
#include <unordered_map>

namespace agentp2p::mdns {

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

error bad(std::string what) { return make_error(errc::decode_error, "dns: " + std::move(what)); }

class reader {
 public:
  reader(byte_span p, const decode_limits& l) : p_(p), limits_(l) {}

  bool has(std::size_t n) const noexcept { return pos_ <= p_.size() && p_.size() - pos_ >= n; }
  std::size_t pos() const noexcept { return pos_; }
  void seek(std::size_t at) noexcept { pos_ = at; }

  result<std::uint16_t> u16() {
    if (!has(2)) return bad("truncated");
    std::uint16_t v = static_cast<std::uint16_t>((p_[pos_] << 8) | p_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  result<std::uint32_t> u32() {
    AP_TRY(auto hi, u16());
    AP_TRY(auto lo, u16());
    return (static_cast<std::uint32_t>(hi) << 16) | lo;
  }

  // Reads a (possibly compressed) name at the current position; afterwards
  // the position is just past the name's bytes in place (a pointer counts 2).
  result<std::string> name() {
    std::string out;
    std::size_t wire = 1;  // the final zero byte
    std::size_t p = pos_;
    std::size_t run_start = pos_;  // a pointer must point before this
    bool jumped = false;
    int hops = 0;
    for (;;) {
      if (p >= p_.size()) return bad("name runs past the end of the packet");
      const std::uint8_t len = p_[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= p_.size()) return bad("truncated compression pointer");
        const std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | p_[p + 1];
        if (target >= run_start) return bad("compression pointer does not point backwards");
        if (++hops > limits_.max_pointer_hops) return bad("too many compression pointers");
        if (!jumped) pos_ = p + 2;
        jumped = true;
        run_start = target;
        p = target;
        continue;
      }
      if (len & 0xC0) return bad("unsupported label type");
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        return out;
      }
      if (p + 1 + len > p_.size()) return bad("label runs past the end of the packet");
      wire += 1 + len;
      if (wire > max_name_length) return bad("name longer than 255 bytes");
      if (!out.empty()) out.push_back('.');
      for (std::size_t i = 0; i < len; ++i) {
        const char c = static_cast<char>(p_[p + 1 + i]);
        if (c == '.' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      p += 1 + len;
    }
  }

  byte_span take(std::size_t n) {
    auto s = p_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  byte_span p_;
  const decode_limits& limits_;
  std::size_t pos_ = 0;
};

result<question> read_question(reader& r) {
  question q;
  AP_TRY(q.name, r.name());
  AP_TRY(q.type, r.u16());
  AP_TRY(auto cls, r.u16());
  q.unicast_response = (cls & 0x8000) != 0;
  q.qclass = cls & 0x7FFF;
  return q;
}

result<record> read_record(reader& r, const decode_limits& limits) {
  record rec;
  AP_TRY(rec.name, r.name());
  AP_TRY(rec.type, r.u16());
  AP_TRY(auto cls, r.u16());
  rec.cache_flush = (cls & 0x8000) != 0;
  rec.rclass = cls & 0x7FFF;
  AP_TRY(rec.ttl, r.u32());
  AP_TRY(auto rdlength, r.u16());
  if (!r.has(rdlength)) return bad("record data runs past the end of the packet");
  const std::size_t start = r.pos();
  const std::size_t end = start + rdlength;
  switch (rec.type) {
    case rr_type::ptr: {
      AP_TRY(rec.ptr, r.name());
      break;
    }
    case rr_type::srv: {
      AP_TRY(rec.srv.priority, r.u16());
      AP_TRY(rec.srv.weight, r.u16());
      AP_TRY(rec.srv.port, r.u16());
      AP_TRY(rec.srv.target, r.name());
      break;
    }
    case rr_type::txt: {
      while (r.pos() < end) {
        auto len = r.take(1)[0];
        if (r.pos() + len > end) return bad("TXT string runs past its record");
        if (rec.txt.size() >= limits.max_txt_strings) return bad("too many TXT strings");
        auto s = r.take(len);
        rec.txt.emplace_back(reinterpret_cast<const char*>(s.data()), s.size());
      }
      break;
    }
    case rr_type::a:
    case rr_type::aaaa: {
      const std::size_t want = rec.type == rr_type::a ? 4 : 16;
      if (rdlength != want) return bad("address record of the wrong length");
      auto s = r.take(rdlength);
      rec.address.assign(s.begin(), s.end());
      break;
    }
    default: {
      auto s = r.take(rdlength);
      rec.raw.assign(s.begin(), s.end());
      break;
    }
  }
  if (r.pos() != end) return bad("record data length does not match its content");
  return rec;
}

// ---- encoding -------------------------------------------------------------------

// Splits escaped dotted text into labels; empty text is the root.
result<std::vector<std::string>> split_labels(std::string_view name) {
  std::vector<std::string> labels;
  if (name.empty()) return labels;
  std::string cur;
  std::size_t wire = 1;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\' && i + 1 < name.size()) {
      cur.push_back(name[++i]);
    } else if (c == '.') {
      labels.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  labels.push_back(std::move(cur));
  for (const auto& l : labels) {
    if (l.empty() || l.size() > max_label_length)
      return make_error(errc::invalid_argument, "dns: bad label in name \"" + std::string(name) + "\"");
    wire += 1 + l.size();
  }
  if (wire > max_name_length) return make_error(errc::invalid_argument, "dns: name longer than 255 bytes");
  return labels;
}

class writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void raw(byte_span b) { out_.insert(out_.end(), b.begin(), b.end()); }

  result<void> name(std::string_view text) {
    AP_TRY(auto labels, split_labels(text));
    for (std::size_t i = 0; i < labels.size(); ++i) {
      std::string key;
      for (std::size_t j = i; j < labels.size(); ++j) {
        if (j > i) key.push_back('.');
        for (char c : labels[j]) key.push_back(c == '.' ? '\x01' : lower(c));  // '.' in a label ≠ separator
      }
      if (auto it = suffixes_.find(key); it != suffixes_.end()) {
        u16(static_cast<std::uint16_t>(0xC000 | it->second));
        return ok();
      }
      if (out_.size() < 0x3FFF) suffixes_.emplace(std::move(key), static_cast<std::uint16_t>(out_.size()));
      u8(static_cast<std::uint8_t>(labels[i].size()));
      raw(as_bytes(labels[i]));
    }
    u8(0);
    return ok();
  }

  std::size_t size() const noexcept { return out_.size(); }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }
  bytes take() { return std::move(out_); }

 private:
  bytes out_;
  std::unordered_map<std::string, std::uint16_t> suffixes_;
};

result<void> write_record(writer& w, const record& rec) {
  AP_TRYV(w.name(rec.name));
  w.u16(rec.type);
  w.u16(static_cast<std::uint16_t>((rec.rclass & 0x7FFF) | (rec.cache_flush ? 0x8000 : 0)));
  w.u32(rec.ttl);
  const std::size_t len_at = w.size();
  w.u16(0);
  const std::size_t start = w.size();
  switch (rec.type) {
    case rr_type::ptr:
      AP_TRYV(w.name(rec.ptr));
      break;
    case rr_type::srv:
      w.u16(rec.srv.priority);
      w.u16(rec.srv.weight);
      w.u16(rec.srv.port);
      AP_TRYV(w.name(rec.srv.target));
      break;
    case rr_type::txt:
      // An empty TXT record holds one empty string (RFC 6763 §6.1).
      if (rec.txt.empty()) w.u8(0);
      for (const auto& s : rec.txt) {
        if (s.size() > 255) return make_error(errc::invalid_argument, "dns: TXT string longer than 255 bytes");
        w.u8(static_cast<std::uint8_t>(s.size()));
        w.raw(as_bytes(s));
      }
      break;
    case rr_type::a:
    case rr_type::aaaa:
      if (rec.address.size() != (rec.type == rr_type::a ? 4u : 16u))
        return make_error(errc::invalid_argument, "dns: address of the wrong length");
      w.raw(rec.address);
      break;
    default:
      w.raw(rec.raw);
      break;
  }
  const std::size_t len = w.size() - start;
  if (len > 0xFFFF) return make_error(errc::invalid_argument, "dns: record data too long");
  w.patch_u16(len_at, static_cast<std::uint16_t>(len));
  return ok();
}

}  // namespace

result<message> decode(byte_span packet, const decode_limits& limits) {
  if (packet.size() > limits.max_packet)
    return make_error(errc::too_large, "dns: packet of " + std::to_string(packet.size()) + " bytes (limit " +
                                           std::to_string(limits.max_packet) + ")");
  reader r(packet, limits);
  message m;
  AP_TRY(m.id, r.u16());
  AP_TRY(m.flags, r.u16());
  AP_TRY(auto qd, r.u16());
  AP_TRY(auto an, r.u16());
  AP_TRY(auto ns, r.u16());
  AP_TRY(auto ar, r.u16());
  if (qd > limits.max_questions) return bad(std::to_string(qd) + " questions");
  if (static_cast<std::size_t>(an) + ns + ar > limits.max_records)
    return bad(std::to_string(an + ns + ar) + " records");
  m.questions.reserve(qd);
  for (int i = 0; i < qd; ++i) {
    AP_TRY(auto q, read_question(r));
    m.questions.push_back(std::move(q));
  }
  auto section = [&](std::vector<record>& into, int count) -> result<void> {
    into.reserve(count);
    for (int i = 0; i < count; ++i) {
      AP_TRY(auto rec, read_record(r, limits));
      into.push_back(std::move(rec));
    }
    return ok();
  };
  AP_TRYV(section(m.answers, an));
  AP_TRYV(section(m.authorities, ns));
  AP_TRYV(section(m.additionals, ar));
  // Trailing bytes are tolerated (some stacks pad), as other implementations do.
  return m;
}

result<bytes> encode(const message& m, std::size_t max_packet) {
  if (m.questions.size() > 0xFFFF || m.answers.size() > 0xFFFF || m.authorities.size() > 0xFFFF ||
      m.additionals.size() > 0xFFFF)
    return make_error(errc::invalid_argument, "dns: too many entries in a section");
  writer w;
  w.u16(m.id);
  w.u16(m.flags);
  w.u16(static_cast<std::uint16_t>(m.questions.size()));
  w.u16(static_cast<std::uint16_t>(m.answers.size()));
  w.u16(static_cast<std::uint16_t>(m.authorities.size()));
  w.u16(static_cast<std::uint16_t>(m.additionals.size()));
  for (const auto& q : m.questions) {
    AP_TRYV(w.name(q.name));
    w.u16(q.type);
    w.u16(static_cast<std::uint16_t>((q.qclass & 0x7FFF) | (q.unicast_response ? 0x8000 : 0)));
  }
  for (const auto* sec : {&m.answers, &m.authorities, &m.additionals})
    for (const auto& rec : *sec) AP_TRYV(write_record(w, rec));
  if (w.size() > max_packet)
    return make_error(errc::too_large, "dns: message of " + std::to_string(w.size()) + " bytes exceeds " +
                                           std::to_string(max_packet));
  return w.take();
}

bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string first_label(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) {
      out.push_back(name[++i]);
    } else if (name[i] == '.') {
      break;
    } else {
      out.push_back(name[i]);
    }
  }
  return out;
}

}  // namespace agentp2p::mdns
