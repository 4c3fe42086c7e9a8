#include "agentp2p/multistream/multistream.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::multistream {

namespace {

constexpr std::string_view na = "na";
constexpr std::string_view ls = "ls";

awaitable<result<std::string>> read_message(core::byte_stream& s, const config& cfg) {
  AP_CO_TRY(auto payload, co_await core::read_length_prefixed(s, cfg.max_message_size + 1));
  AP_CO_TRY(auto text, parse_message(payload));
  co_return std::string(text);
}

// (Two overloads rather than an initializer_list: GCC 12 miscompiles braced
// lists inside coroutine bodies.)
bytes messages(std::string_view first, std::string_view second = {}) {
  bytes out;
  append_message(out, first);
  if (!second.empty()) append_message(out, second);
  return out;
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 64)) out.push_back((c >= 0x20 && c < 0x7f) ? c : '?');
  if (s.size() > 64) out += "...";
  return out + "'";
}

// The header has a known encoding (length byte, text, newline): one exact
// read instead of a length read and a payload read.
constexpr std::size_t header_size = 1 + protocol_id.size() + 1;

bool is_header(byte_span b) {
  static const bytes expected = messages(protocol_id);
  return b.size() == expected.size() && std::equal(expected.begin(), expected.end(), b.begin());
}

awaitable<result<void>> read_header(core::byte_stream& s) {
  std::array<std::uint8_t, header_size> buf;
  AP_CO_TRYV(co_await core::read_exact(s, buf));
  if (!is_header(buf))
    co_return make_error(errc::protocol_error,
                         "multistream: unexpected header " + quoted(as_string_view(byte_span(buf).subspan(1, header_size - 2))));
  co_return ok();
}

}  // namespace

void append_message(bytes& out, std::string_view text) {
  uvarint::append(out, text.size() + 1);
  out.insert(out.end(), text.begin(), text.end());
  out.push_back('\n');
}

result<std::string_view> parse_message(byte_span payload) {
  if (payload.empty() || payload.back() != '\n')
    return make_error(errc::protocol_error, "multistream: message without trailing newline");
  return as_string_view(payload.first(payload.size() - 1));
}

awaitable<result<std::string>> select(core::byte_stream& s, std::span<const std::string> protocols,
                                      const config& cfg) {
  if (protocols.empty()) co_return make_error(errc::invalid_argument, "multistream: no protocols to propose");
  // Header and first proposal go out together: one round trip in the common case.
  AP_CO_TRYV(co_await s.write(messages(protocol_id, protocols[0])));
  AP_CO_TRYV(co_await read_header(s));
  std::string tried;
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    if (i > 0) AP_CO_TRYV(co_await s.write(messages(protocols[i])));
    AP_CO_TRY(auto answer, co_await read_message(s, cfg));
    if (answer == protocols[i]) co_return std::move(answer);
    if (answer != na)
      co_return make_error(errc::protocol_error,
                           "multistream: proposed " + quoted(protocols[i]) + " but the peer answered " + quoted(answer));
    if (!tried.empty()) tried += ", ";
    tried += protocols[i];
  }
  co_return make_error(errc::unsupported, "multistream: the peer supports none of: " + tried);
}

bytes lazy_proposal(std::string_view protocol) { return messages(protocol_id, protocol); }

namespace {
// (A plain function: GCC 12 mishandles braced lists alive across a co_await.)
std::array<byte_span, 2> two_parts(byte_span first, byte_span second) { return {first, second}; }
}  // namespace

awaitable<result<void>> lazy_select::write_with_proposal(core::byte_stream& s, byte_span data) {
  auto proposal = std::exchange(proposal_, bytes());
  auto parts = two_parts(proposal, data);
  co_return co_await s.write_v(parts);
}

awaitable<result<void>> lazy_select::write_v_with_proposal(core::byte_stream& s, std::span<const byte_span> parts) {
  auto proposal = std::exchange(proposal_, bytes());
  std::vector<byte_span> all;
  all.reserve(parts.size() + 1);
  all.push_back(proposal);
  all.insert(all.end(), parts.begin(), parts.end());
  co_return co_await s.write_v(all);
}

awaitable<result<void>> lazy_select::flush(core::byte_stream& s) {
  if (proposal_.empty()) co_return ok();
  auto proposal = std::exchange(proposal_, bytes());
  co_return co_await s.write(proposal);
}

awaitable<result<void>> lazy_select::read_echo(core::byte_stream& s, std::string_view protocol, const config& cfg) {
  echo_pending_ = false;
  AP_CO_TRYV(co_await flush(s));
  co_return co_await expect_echo(s, protocol, cfg);
}

awaitable<result<void>> expect_echo(core::byte_stream& s, std::string_view protocol, const config& cfg) {
  // The header is read together with the first byte of the answer's length
  // (there always is an answer after the header): two reads instead of four
  // in the usual case.
  std::array<std::uint8_t, header_size + uvarint::max_length> buf;
  AP_CO_TRYV(co_await core::read_exact(s, mutable_byte_span(buf.data(), header_size + 1)));
  if (!is_header(byte_span(buf.data(), header_size))) {
    auto text = as_string_view(byte_span(buf.data() + 1, header_size - 2));
    co_return make_error(errc::protocol_error, "multistream: unexpected header " + quoted(text));
  }
  std::size_t used = 1;
  std::uint64_t length = 0;
  for (;;) {
    AP_CO_TRY(auto decoded, uvarint::try_decode(byte_span(buf.data() + header_size, used)));
    if (decoded) {
      length = decoded->value;
      break;
    }
    if (used == uvarint::max_length) co_return make_error(errc::too_large, "multistream: length prefix too long");
    AP_CO_TRYV(co_await core::read_exact(s, mutable_byte_span(buf.data() + header_size + used, 1)));
    ++used;
  }
  if (length > cfg.max_message_size + 1)
    co_return make_error(errc::too_large, "multistream: message of " + std::to_string(length) + " bytes exceeds the limit");
  bytes payload(length);
  AP_CO_TRYV(co_await core::read_exact(s, payload));
  AP_CO_TRY(auto answer, parse_message(payload));
  if (answer == protocol) co_return ok();
  if (answer == na) co_return make_error(errc::unsupported, "multistream: the peer does not support " + quoted(protocol));
  co_return make_error(errc::protocol_error,
                       "multistream: proposed " + quoted(protocol) + " but the peer answered " + quoted(answer));
}

awaitable<result<std::string>> handle(core::byte_stream& s, const support_fn& supports, const list_fn& list,
                                      const config& cfg) {
  // Our header goes out with our first answer, in one write: every dialer
  // (ours, go's, rust's, js's) sends its header and first proposal without
  // waiting for ours, so nothing is gained by a write of its own (on a muxed
  // stream that was a frame and a system call per negotiation).
  bytes out = messages(protocol_id);
  AP_CO_TRYV(co_await read_header(s));
  for (std::size_t rejected = 0; rejected <= cfg.max_rejections;) {
    AP_CO_TRY(auto proposal, co_await read_message(s, cfg));
    if (proposal == ls) {
      // The answer is itself a message holding one message per protocol.
      bytes inner;
      if (list)
        for (const auto& p : list()) append_message(inner, p);
      inner.push_back('\n');
      uvarint::append(out, inner.size());
      out.insert(out.end(), inner.begin(), inner.end());
      AP_CO_TRYV(co_await s.write(out));
      out.clear();
      ++rejected;
      continue;
    }
    const bool accepted = !proposal.empty() && supports(proposal);
    append_message(out, accepted ? std::string_view(proposal) : na);
    AP_CO_TRYV(co_await s.write(out));
    if (accepted) co_return std::move(proposal);
    out.clear();
    ++rejected;
  }
  co_return make_error(errc::limit_exceeded, "multistream: peer proposed more than " +
                                                 std::to_string(cfg.max_rejections) + " unsupported protocols");
}

}  // namespace agentp2p::multistream
