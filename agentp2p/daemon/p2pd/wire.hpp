// Codec of the libp2p daemon control protocol (control.proto): requests in,
// responses out. Pure, no I/O. Requests come from a local client, but they are
// still checked like any input: sizes and counts are capped, peer ids and
// multiaddrs are parsed here, and anything malformed is a decode_error whose
// message the daemon sends back in an ERROR response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agentp2p/base/bytes.hpp"
#include "agentp2p/base/result.hpp"
#include "agentp2p/crypto/peer_id.hpp"
#include "agentp2p/multiformats/multiaddr.hpp"

namespace agentp2p::p2pd {

enum class request_type : std::uint8_t {
  identify = 0,
  connect = 1,
  stream_open = 2,
  stream_handler = 3,
  dht = 4,
  list_peers = 5,
  connmanager = 6,
  disconnect = 7,
  pubsub = 8,
  peerstore = 9,
};
std::string_view to_string(request_type t) noexcept;

enum class dht_request_type : std::uint8_t {
  find_peer = 0,
  find_peers_connected_to_peer = 1,
  find_providers = 2,
  get_closest_peers = 3,
  get_public_key = 4,
  get_value = 5,
  search_value = 6,
  put_value = 7,
  provide = 8,
};
std::string_view to_string(dht_request_type t) noexcept;

enum class peerstore_request_type : std::uint8_t { unspecified = 0, get_protocols = 1, get_peer_info = 2 };

struct wire_limits {
  // One request on a control connection (checked before the payload is read).
  std::size_t max_request_size = 1024 * 1024;
  std::size_t max_addrs = 32;
  std::size_t max_protocols = 16;
  std::size_t max_protocol_length = 256;
  std::size_t max_dht_key_size = 1024;
  std::size_t max_dht_value_size = 256 * 1024;
};

struct connect_request {
  crypto::peer_id peer;
  std::vector<multiformats::multiaddr> addrs;
  std::optional<std::int64_t> timeout_seconds;
};

struct stream_open_request {
  crypto::peer_id peer;
  std::vector<std::string> protocols;  // at least one
  std::optional<std::int64_t> timeout_seconds;
};

struct stream_handler_request {
  multiformats::multiaddr addr;        // /unix/... or /ip4|ip6/.../tcp/...
  std::vector<std::string> protocols;  // at least one
};

// Fields as sent; which ones a type needs is checked by the daemon, which
// knows what it is about to do (and says which field is missing).
struct dht_request {
  dht_request_type type = dht_request_type::find_peer;
  std::optional<crypto::peer_id> peer;
  std::optional<bytes> cid;  // binary CID
  std::optional<bytes> key;
  std::optional<bytes> value;
  std::optional<std::int32_t> count;
  std::optional<std::int64_t> timeout_seconds;
};

struct peerstore_request {
  peerstore_request_type type = peerstore_request_type::unspecified;
  std::optional<crypto::peer_id> peer;
  std::vector<std::string> protocols;
};

struct request {
  request_type type = request_type::identify;
  std::optional<connect_request> connect;
  std::optional<stream_open_request> stream_open;
  std::optional<stream_handler_request> stream_handler;
  std::optional<dht_request> dht;
  std::optional<crypto::peer_id> disconnect_peer;
  std::optional<peerstore_request> peerstore;
};

// errc::decode_error (malformed protobuf, unknown type, bad peer id or
// multiaddr, missing sub-message), errc::too_large (over a cap).
result<request> decode_request(byte_span data, const wire_limits& limits = {});

// A peer and its addresses, as PeerInfo.
struct peer_entry {
  crypto::peer_id id;
  std::vector<multiformats::multiaddr> addrs;
};

struct stream_info {
  crypto::peer_id peer;
  multiformats::multiaddr addr;
  std::string protocol;
};

// Response messages (payloads only; the caller adds the length prefix).
bytes encode_ok();
bytes encode_error(std::string_view message);
bytes encode_identify(const crypto::peer_id& self, const std::vector<multiformats::multiaddr>& addrs);
bytes encode_peers(const std::vector<peer_entry>& peers);
bytes encode_stream_open(const stream_info& info);
bytes encode_stream_info(const stream_info& info);  // the bare StreamInfo for a handler
bytes encode_peerstore_protocols(const std::vector<std::string>& protocols);
bytes encode_peerstore_peer(const peer_entry& peer);

// DHT answers: either one Response{OK, dht: DHTResponse{VALUE, ...}}, or a
// stream: Response{OK, dht: {BEGIN}}, then bare DHTResponse{VALUE} messages,
// then DHTResponse{END}.
bytes encode_dht_value(byte_span value);
bytes encode_dht_peer(const peer_entry& peer);
bytes encode_dht_begin();
bytes encode_dht_stream_value(byte_span value);
bytes encode_dht_stream_peer(const peer_entry& peer);
bytes encode_dht_end();

// Decoders for the client side of the protocol (tests and tools).
struct response {
  bool ok = false;
  std::string error;
  std::optional<stream_info> stream;
  std::optional<peer_entry> identify;
  std::vector<peer_entry> peers;
  // The embedded DHTResponse, if any.
  std::optional<int> dht_type;  // BEGIN 0, VALUE 1, END 2
  std::optional<peer_entry> dht_peer;
  std::optional<bytes> dht_value;
  std::vector<std::string> peerstore_protocols;
};
result<response> decode_response(byte_span data);
struct dht_stream_item {
  int type = 0;  // BEGIN 0, VALUE 1, END 2
  std::optional<peer_entry> peer;
  std::optional<bytes> value;
};
result<dht_stream_item> decode_dht_stream_item(byte_span data);
result<stream_info> decode_stream_info(byte_span data);

// Request encoders (tests and tools).
bytes encode_request_identify();
bytes encode_request_list_peers();
bytes encode_request_connect(const crypto::peer_id& peer, const std::vector<multiformats::multiaddr>& addrs);
bytes encode_request_disconnect(const crypto::peer_id& peer);
bytes encode_request_stream_open(const crypto::peer_id& peer, const std::string& protocol);
bytes encode_request_stream_handler(const multiformats::multiaddr& addr, const std::string& protocol);
bytes encode_request_dht(const dht_request& r);

}  // namespace agentp2p::p2pd
