// libFuzzer entry for the two framing codecs under every libp2p protocol:
// unsigned varints (base/uvarint) and uvarint-length-prefixed messages.
// Built as fuzz_varint_lp by tests/fuzz; seeds in tests/fuzz/corpus/varint_lp.
// Byte 0 picks the size limit for the framing pass; the rest is the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "agentp2p/base/uvarint.hpp"
#include "agentp2p/multiformats/length_prefixed.hpp"

using namespace agentp2p;

namespace {

void check_varints(byte_span in) {
  // decode and try_decode agree; whatever decodes re-encodes to the same bytes.
  auto d = uvarint::decode(in);
  auto t = uvarint::try_decode(in);
  if (d) {
    if (!t || !*t || (*t)->value != d->value || (*t)->length != d->length) std::abort();
    if (d->length == 0 || d->length > uvarint::max_length || d->length > in.size()) std::abort();
    if (uvarint::encoded_length(d->value) != d->length) std::abort();
    std::uint8_t buf[uvarint::max_length];
    auto n = uvarint::encode(d->value, buf);
    if (n != d->length || !std::equal(buf, buf + n, in.begin())) std::abort();
    bytes appended;
    uvarint::append(appended, d->value);
    if (appended != bytes(buf, buf + n)) std::abort();
  } else if (t && *t) {
    std::abort();  // try_decode found a whole varint that decode refused
  }
}

void check_frames(byte_span in, std::size_t max_size) {
  // Consume frames as a stream reader would; each payload re-frames to the same bytes.
  while (!in.empty()) {
    auto f = multiformats::try_parse_length_prefixed(in, max_size);
    if (!f || !*f) return;
    const auto& fr = **f;
    if (fr.payload.size() > max_size || fr.consumed > in.size() || fr.consumed <= fr.payload.size()) std::abort();
    bytes again;
    multiformats::append_length_prefixed(again, fr.payload);
    if (again.size() != fr.consumed || !std::equal(again.begin(), again.end(), in.begin())) std::abort();
    in = in.subspan(fr.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const byte_span in(data + 1, size - 1);
  for (std::size_t i = 0; i < in.size() && i < 16; ++i) check_varints(in.subspan(i));
  static constexpr std::size_t limits[] = {0, 1, 8, 64, 1024, 64 * 1024};
  check_frames(in, limits[data[0] % std::size(limits)]);
  return 0;
}
