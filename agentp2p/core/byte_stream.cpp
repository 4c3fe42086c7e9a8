#include "agentp2p/core/byte_stream.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/uvarint.hpp"

namespace agentp2p::core {

awaitable<result<void>> byte_stream::write_v(std::span<const byte_span> parts) {
  for (auto part : parts) {
    if (part.empty()) continue;
    AP_CO_TRYV(co_await write(part));
  }
  co_return ok();
}

awaitable<result<void>> read_exact(byte_stream& s, mutable_byte_span buf) {
  std::size_t got = 0;
  while (got < buf.size()) {
    auto n = co_await s.read_some(buf.subspan(got));
    if (!n) {
      if (got > 0 && n.error().is(errc::end_of_stream))
        co_return make_error(errc::decode_error, "truncated: stream ended after " + std::to_string(got) +
                                                     " of " + std::to_string(buf.size()) + " bytes");
      co_return std::move(n).error();
    }
    got += *n;
  }
  co_return ok();
}

awaitable<result<bytes>> read_length_prefixed(byte_stream& s, std::size_t max_size) {
  std::array<std::uint8_t, uvarint::max_length> prefix{};
  std::size_t used = 0;
  std::uint64_t length = 0;
  for (;;) {
    if (used == prefix.size()) co_return make_error(errc::too_large, "length prefix longer than 9 bytes");
    auto n = co_await s.read_some(mutable_byte_span(prefix.data() + used, 1));
    if (!n) {
      if (used > 0 && n.error().is(errc::end_of_stream))
        co_return make_error(errc::decode_error, "truncated length prefix");
      co_return std::move(n).error();
    }
    ++used;
    AP_CO_TRY(auto decoded, uvarint::try_decode(byte_span(prefix.data(), used)));
    if (decoded) {
      length = decoded->value;
      break;
    }
  }
  if (length > max_size)
    co_return make_error(errc::too_large, "message of " + std::to_string(length) + " bytes exceeds the limit of " +
                                              std::to_string(max_size));
  bytes payload(length);
  AP_CO_TRYV(co_await read_exact(s, payload));
  co_return payload;
}

awaitable<result<void>> write_length_prefixed(byte_stream& s, byte_span payload) {
  std::uint8_t prefix[uvarint::max_length + 1];
  auto n = uvarint::encode(payload.size(), prefix);
  const byte_span parts[] = {byte_span(prefix, n), payload};
  co_return co_await s.write_v(parts);
}

awaitable<result<bytes>> read_to_end(byte_stream& s, std::size_t max_size) {
  // Reads straight into the result, growing it geometrically: no 16 KiB
  // zero-filled scratch buffer per call (most messages are a few hundred bytes).
  bytes out;
  for (;;) {
    std::size_t room = std::max<std::size_t>(512, out.size());
    const std::size_t left = max_size - out.size();
    if (left < room) room = left + 1;  // one byte past the limit tells "too large"
    const std::size_t old = out.size();
    out.resize(old + room);
    auto n = co_await s.read_some(mutable_byte_span(out.data() + old, room));
    if (!n) {
      out.resize(old);
      if (n.error().is(errc::end_of_stream)) co_return out;
      co_return std::move(n).error();
    }
    out.resize(old + *n);
    if (out.size() > max_size)
      co_return make_error(errc::too_large, "stream exceeds the limit of " + std::to_string(max_size) + " bytes");
  }
}

namespace {
// What a peer may still send after we finished, before we give up on it.
constexpr std::size_t max_drain = 64 * 1024;
}  // namespace

awaitable<result<void>> drain(byte_stream& s) {
  std::array<std::uint8_t, 1024> buf;  // contents discarded: no need to zero it
  std::size_t total = 0;
  for (;;) {
    auto n = co_await s.read_some(buf);
    if (!n) {
      if (n.error().is(errc::end_of_stream)) co_return ok();
      co_return std::move(n).error();
    }
    total += *n;
    if (total > max_drain) co_return make_error(errc::too_large, "peer kept writing after the exchange");
  }
}

awaitable<void> finish(byte_stream& s, std::chrono::milliseconds linger) {
  auto closed = co_await s.close_write();
  if (!closed) {
    s.reset();
    co_return;
  }
  auto drained = co_await with_deadline(drain(s), linger, "waiting for the peer to close");
  if (!drained) s.reset();
}

}  // namespace agentp2p::core
