#include "agentp2p/multiformats/multibase.hpp"

#include "agentp2p/multiformats/text_codecs.hpp"

namespace agentp2p::multiformats {

std::string multibase_encode(base b, byte_span data) {
  std::string body;
  switch (b) {
    case base::base16: body = base16_encode(data, false); break;
    case base::base16_upper: body = base16_encode(data, true); break;
    case base::base32: body = base32_encode(data, false, false); break;
    case base::base32_upper: body = base32_encode(data, true, false); break;
    case base::base32_pad: body = base32_encode(data, false, true); break;
    case base::base32_pad_upper: body = base32_encode(data, true, true); break;
    case base::base36: body = base36_encode(data, false); break;
    case base::base36_upper: body = base36_encode(data, true); break;
    case base::base58btc: body = base58btc_encode(data); break;
    case base::base64: body = base64_encode(data, false, false); break;
    case base::base64_pad: body = base64_encode(data, false, true); break;
    case base::base64url: body = base64_encode(data, true, false); break;
    case base::base64url_pad: body = base64_encode(data, true, true); break;
  }
  return static_cast<char>(b) + body;
}

result<bytes> multibase_decode(std::string_view text) {
  if (text.empty()) return make_error(errc::decode_error, "multibase: empty string");
  auto body = text.substr(1);
  switch (text[0]) {
    case 'f':
    case 'F': return base16_decode(body);
    case 'b':
    case 'B':
    case 'c':
    case 'C': return base32_decode(body);
    case 'k':
    case 'K': return base36_decode(body);
    case 'z': return base58btc_decode(body);
    case 'm':
    case 'M': return base64_decode(body, false);
    case 'u':
    case 'U': return base64_decode(body, true);
    default:
      return make_error(errc::decode_error, "multibase: unsupported prefix " + detail::quote(text.substr(0, 1)));
  }
}

}  // namespace agentp2p::multiformats
