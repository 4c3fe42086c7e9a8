// Newline-delimited JSON over a stream: the framing of every praxis protocol
// and of MCP's stdio-style transport. Each message is one compact JSON value
// followed by '\n'. Lines are bounded; a line over the limit or one that is not
// JSON is an error the caller can answer (it does not poison the reader: the
// next line can still be read after a parse error).
#pragma once

#include <cstddef>
#include <string>

#include <boost/json/value.hpp>

#include "agentp2p/core/byte_stream.hpp"

namespace agentp2p::agent {

// Default cap on one JSON line (issue: configurable, default 4 MiB).
inline constexpr std::size_t default_max_line = 4 * 1024 * 1024;

class json_line_reader {
 public:
  explicit json_line_reader(core::byte_stream& s, std::size_t max_line = default_max_line)
      : stream_(s), max_line_(max_line) {}

  // The next line's text without the '\n'. errc::end_of_stream at a clean
  // EOF between lines; errc::too_large when a line exceeds the limit (the rest
  // of that line is discarded so the reader stays usable); decode_error when
  // the stream ends mid-line.
  awaitable<result<std::string>> read_line();

  // The next line parsed as JSON; errc::decode_error "not JSON: ..." when it
  // does not parse (the line is consumed).
  awaitable<result<boost::json::value>> read();

 private:
  core::byte_stream& stream_;
  std::size_t max_line_;
  std::string buffer_;  // bytes read past the last returned line
  bool discarding_ = false;
};

// Serializes `v` compactly and writes it with a trailing '\n' in one write.
awaitable<result<void>> write_json_line(core::byte_stream& s, const boost::json::value& v);

}  // namespace agentp2p::agent
