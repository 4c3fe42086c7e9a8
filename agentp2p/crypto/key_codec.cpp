#include "agentp2p/crypto/key_codec.hpp"

#include <openssl/crypto.h>

#include <string>

#include "keys.pb.h"

namespace agentp2p::crypto::detail {
namespace {

// Both messages have the same shape; M is pb::PublicKey or pb::PrivateKey.
template <class M>
result<key_message> decode(byte_span encoded, const char* what) {
  if (encoded.size() > max_key_message_size)
    return make_error(errc::too_large, std::string(what) + " message of " +
                                           std::to_string(encoded.size()) + " bytes exceeds " +
                                           std::to_string(max_key_message_size));
  M msg;
  // proto2 closed enum: an unknown Type lands in the unknown fields, which
  // leaves the required field unset, so the message is not initialized.
  // (ParseFromArray would also check that, but logs each failure to stderr:
  // a remote peer could flood our logs.)
  const bool parsed = msg.ParsePartialFromArray(encoded.data(), static_cast<int>(encoded.size())) &&
                      msg.IsInitialized();
  std::string* data = msg.mutable_data();
  key_message out{static_cast<key_type>(msg.type()), {}};
  if (parsed) out.data.assign(data->begin(), data->end());
  if (!data->empty()) OPENSSL_cleanse(data->data(), data->size());  // may be a private key
  if (!parsed)
    return make_error(errc::decode_error, std::string("malformed ") + what +
                                              " protobuf (truncated, missing Type/Data or unknown key type)");
  return out;
}

template <class M>
bytes encode(key_type type, byte_span data) {
  M msg;
  msg.set_type(static_cast<pb::KeyType>(type));
  msg.set_data(data.data(), data.size());
  bytes out(msg.ByteSizeLong());
  // Generated serializers write fields in field-number order with minimal
  // varints: exactly the deterministic encoding peer ids require.
  msg.SerializeWithCachedSizesToArray(out.data());
  std::string* d = msg.mutable_data();
  if (!d->empty()) OPENSSL_cleanse(d->data(), d->size());
  return out;
}

}  // namespace

result<key_message> decode_public_key(byte_span encoded) {
  return decode<pb::PublicKey>(encoded, "PublicKey");
}
result<key_message> decode_private_key(byte_span encoded) {
  return decode<pb::PrivateKey>(encoded, "PrivateKey");
}
bytes encode_public_key(key_type type, byte_span data) { return encode<pb::PublicKey>(type, data); }
bytes encode_private_key(key_type type, byte_span data) {
  return encode<pb::PrivateKey>(type, data);
}

}  // namespace agentp2p::crypto::detail
