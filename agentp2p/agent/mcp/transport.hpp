// What an MCP session talks through: whole JSON-RPC messages in, whole
// messages out. stdio and libp2p streams carry one message per line
// (line_transport); Streamable HTTP maps them onto POST bodies and SSE
// streams; tests use an in-memory pair.
//
// The session calls receive() from one coroutine and send() from one other
// coroutine (its writer), never two sends at once; both on get_executor().
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>

#include <boost/json/value.hpp>

#include "agentp2p/base/asio.hpp"
#include "agentp2p/base/result.hpp"

namespace agentp2p::mcp {

class transport {
 public:
  virtual ~transport() = default;

  virtual executor get_executor() const = 0;

  // The next incoming message. Errors: errc::decode_error for input that is
  // not JSON and errc::too_large for a message over the size limit (the
  // session answers them and reads on); errc::end_of_stream when the peer is
  // done; anything else ends the session.
  virtual awaitable<result<boost::json::value>> receive() = 0;

  // Writes one message. `related_request` is the id of the incoming request
  // this message belongs to (its response, or a notification or request sent
  // while handling it) or null: HTTP routes by it, streams ignore it.
  virtual awaitable<result<void>> send(const boost::json::value& message,
                                       const boost::json::value& related_request) = 0;

  // Ends the conversation gracefully (flushes, half-closes, lets the peer finish).
  virtual awaitable<void> close() = 0;

  // Ends the stream that carries `related_request`'s messages while the
  // request goes on (SEP-1699 polling: an HTTP client resumes it with
  // Last-Event-ID). Stream transports have no such stream: a no-op.
  virtual void end_stream(const boost::json::value& /*related_request*/) {}
};

// Two transports wired to each other in memory (for tests and in-process
// clients). Both ends must be used from the same single-threaded executor.
std::pair<std::unique_ptr<transport>, std::unique_ptr<transport>> make_memory_pair(executor ex);

}  // namespace agentp2p::mcp
