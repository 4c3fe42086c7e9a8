// Perf (/perf/1.0.0): https://github.com/libp2p/specs/blob/master/perf/perf.md
// The client opens a stream, sends the number of bytes it wants back as a
// big-endian uint64, uploads any amount of data and closes its write side;
// the server reads to end of stream, then sends the requested bytes and
// closes. Any libp2p implementation can measure us with it.
//
// The server sends bytes on request, so it is off by default: start the
// service only on nodes that should be measurable (`agentp2p run
// --enable-perf`, daemon::node_options::enable_perf).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "agentp2p/host/host.hpp"

namespace agentp2p::perf {

inline constexpr std::string_view protocol_id = "/perf/1.0.0";

struct config {
  // Bytes per read/write call on the stream (one buffer per stream): four
  // full Yamux frames (4 x 65507, one Noise message each), so every write
  // is whole frames; 256 KiB left a 116-byte fifth frame per write, and a
  // system call of its own.
  std::size_t chunk_size = 4 * (65535 - 16 - 12);
  // A read or write that makes no progress for this long ends the stream.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  // Largest download one stream may ask the server for (the spec allows any
  // uint64; a node may want to cap what it sends on request).
  std::uint64_t max_download_bytes = UINT64_MAX;
};

// One measurement line, as the libp2p perf test apps print it: an
// intermediary report covers the last interval (about a second), the final
// one the whole run.
struct report {
  enum class kind { intermediary, final } type = kind::final;
  double time_seconds = 0;
  std::uint64_t upload_bytes = 0;
  std::uint64_t download_bytes = 0;
};

// {"type":"final","timeSeconds":1.5,"uploadBytes":...,"downloadBytes":...}
std::string to_json(const report& r);

using progress_handler = std::function<void(const report&)>;

class service {
 public:
  // Registers the /perf/1.0.0 server on the host.
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h, config cfg);
  static std::shared_ptr<service> start(std::shared_ptr<host::host> h) { return start(std::move(h), config{}); }
  ~service();

 private:
  service(std::shared_ptr<host::host> h, config cfg) : host_(h), config_(cfg) {}
  std::weak_ptr<host::host> host_;
  config config_;
};

// The server side of one stream, exposed for hosts that wire handlers themselves.
awaitable<void> serve(std::shared_ptr<host::stream> s, config cfg);

// The client: one perf run on a new stream of `conn`. Calls `on_progress`
// (if set) about once a second with an intermediary report; returns the
// final one. errc::protocol_error when the server sends more or fewer bytes
// than asked for.
awaitable<result<report>> measure(host::host& h, std::shared_ptr<host::connection> conn, std::uint64_t upload_bytes,
                                  std::uint64_t download_bytes, progress_handler on_progress, config cfg);
awaitable<result<report>> measure(host::host& h, std::shared_ptr<host::connection> conn, std::uint64_t upload_bytes,
                                  std::uint64_t download_bytes);

}  // namespace agentp2p::perf
