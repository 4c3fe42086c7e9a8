#include "agentp2p/muxer/yamux/frame.hpp"

namespace agentp2p::yamux {

namespace {

void put_be16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::uint16_t get_be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t get_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

const char* type_name(frame_type t) noexcept {
  switch (t) {
    case frame_type::data: return "Data";
    case frame_type::window_update: return "WindowUpdate";
    case frame_type::ping: return "Ping";
    case frame_type::go_away: return "GoAway";
  }
  return "?";
}

}  // namespace

header_bytes encode(const header& h) noexcept {
  header_bytes out{};
  out[0] = protocol_version;
  out[1] = static_cast<std::uint8_t>(h.type);
  put_be16(&out[2], h.flags);
  put_be32(&out[4], h.stream_id);
  put_be32(&out[8], h.length);
  return out;
}

result<header> decode(byte_span in) {
  if (in.size() != header_size)
    return make_error(errc::decode_error, "yamux: header must be 12 bytes, got " + std::to_string(in.size()));
  if (in[0] != protocol_version)
    return make_error(errc::protocol_error, "yamux: unsupported version " + std::to_string(in[0]));
  if (in[1] > static_cast<std::uint8_t>(frame_type::go_away))
    return make_error(errc::protocol_error, "yamux: unknown frame type " + std::to_string(in[1]));
  header h;
  h.type = static_cast<frame_type>(in[1]);
  h.flags = get_be16(&in[2]);
  h.stream_id = get_be32(&in[4]);
  h.length = get_be32(&in[8]);
  return h;
}

std::string describe(const header& h) {
  std::string out = type_name(h.type);
  out += " stream=" + std::to_string(h.stream_id);
  if (h.flags != 0) {
    out += " flags=";
    bool first = true;
    auto add = [&](std::uint16_t f, const char* name) {
      if (!h.has(f)) return;
      if (!first) out += '|';
      out += name;
      first = false;
    };
    add(flag::syn, "SYN");
    add(flag::ack, "ACK");
    add(flag::fin, "FIN");
    add(flag::rst, "RST");
    if (h.flags & ~(flag::syn | flag::ack | flag::fin | flag::rst)) out += first ? "other" : "|other";
  }
  out += " length=" + std::to_string(h.length);
  return out;
}

}  // namespace agentp2p::yamux
