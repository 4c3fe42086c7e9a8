// Runs a tool call while watching the stream it came from. A remote caller
// that resets its stream (or loses its connection) mid-call cancels the call,
// so its handler learns of it instead of working for nobody. Lines that
// arrive meanwhile (pipelined requests) are kept, in order, for later.
// Limitation: once the caller has half-closed, a later reset is invisible on
// our read side (the muxed stream reports end_of_stream), so such a call runs
// to its deadline unless the whole connection drops while we still read.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>

#include <boost/json/value.hpp>

#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::praxis {

struct backlog {
  std::deque<result<boost::json::value>> lines;  // parse errors included, to be answered in order
  bool eof = false;                               // the caller half-closed: no more requests
  std::optional<agentp2p::error> failure;         // the stream broke
};

// `op`'s result, or errc::cancelled "the caller went away: ..." when the
// stream broke first (then `op` was cancelled). At most `max_backlog` lines
// are read ahead; beyond that the stream is not read until `op` ends.
awaitable<result<boost::json::value>> run_watching(awaitable<result<boost::json::value>> op,
                                                   agent::json_line_reader& reader, backlog& pending,
                                                   std::size_t max_backlog);

}  // namespace agentp2p::praxis
