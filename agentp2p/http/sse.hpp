// Server-Sent Events (text/event-stream, WHATWG HTML "server-sent events"):
// formatting for the server side, an incremental bounded parser for clients.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentp2p/base/result.hpp"

namespace agentp2p::http {

struct sse_event {
  std::string data;                      // may span lines; split into `data:` lines on the wire
  std::string event;                     // type; empty means the default "message"
  std::optional<std::string> id;         // `id:`; a client resumes with Last-Event-ID
  std::optional<std::uint64_t> retry_ms; // `retry:` reconnection hint
};

// Builds an event without braced lists (coroutine bodies on GCC 12 cannot
// keep those alive across co_await).
sse_event make_sse_event(std::string data, std::string event = {}, std::optional<std::string> id = std::nullopt);

// The wire form of one event, ending with the blank line that dispatches it.
// CR/LF inside `event` and `id` (which the format cannot carry) become spaces;
// an id containing NUL is dropped, as clients would ignore it.
std::string format_sse_event(const sse_event& ev);
// A comment (": text\n\n"): keeps proxies and clients from timing out.
std::string format_sse_comment(std::string_view text);

// Incremental parser. Feed bytes as they arrive; take complete events out.
// Bounded: an event (or a line) larger than `max_event_bytes` is an error.
class sse_parser {
 public:
  explicit sse_parser(std::size_t max_event_bytes = 4 * 1024 * 1024) : max_(max_event_bytes) {}

  // Consumes `bytes`; complete events are queued for next().
  result<void> feed(std::string_view bytes);
  // At end of stream: a trailing event without its blank line is discarded
  // (as the spec says); returns whether anything was pending.
  bool finish();

  std::optional<sse_event> next();
  bool has_event() const noexcept { return head_ < ready_.size(); }
  // The last `id:` seen (persists across events, as for an EventSource).
  const std::optional<std::string>& last_event_id() const noexcept { return last_id_; }
  std::optional<std::uint64_t> retry_ms() const noexcept { return retry_; }

 private:
  void line(std::string_view l);
  void dispatch();

  std::size_t max_;
  std::string partial_;  // an unterminated line
  bool skip_lf_ = false; // the previous chunk ended in CR
  bool first_ = true;    // strip a leading BOM
  std::string data_;
  bool has_data_ = false;
  std::string type_;
  std::optional<std::string> id_;  // id seen in the current event
  std::optional<std::string> last_id_;
  std::optional<std::uint64_t> retry_;
  std::optional<std::uint64_t> event_retry_;
  std::vector<sse_event> ready_;
  std::size_t head_ = 0;
};

}  // namespace agentp2p::http
