// Plain HTTP message types shared by the server and the client. No Beast
// here: handlers and callers see std::string and friends only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentp2p::http {

// Header fields in the order they were sent; lookups ignore case.
class headers {
 public:
  using entry = std::pair<std::string, std::string>;

  // First value of `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every `name` field by one with `value`.
  void set(std::string_view name, std::string_view value);
  // Appends a field (repeated fields such as Set-Cookie).
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);

  const std::vector<entry>& entries() const noexcept { return entries_; }
  bool empty() const noexcept { return entries_.empty(); }

 private:
  std::vector<entry> entries_;
};

bool iequals(std::string_view a, std::string_view b) noexcept;

// A request as a route handler sees it.
struct request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent, e.g. "/api/v1/peers/abc?verbose=1"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;   // decoded, in order
  std::vector<std::pair<std::string, std::string>> params;  // from `{name}` route segments; "*" for a prefix rest
  http::headers headers;
  std::string body;
  std::string remote;  // "127.0.0.1:54321"

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  std::optional<std::string_view> query_param(std::string_view name) const;
  // The value of a path parameter; empty when the route has none by that name.
  std::string_view param(std::string_view name) const;
  // SSE resumption: the Last-Event-ID header, if sent.
  std::optional<std::string_view> last_event_id() const { return headers.get("Last-Event-ID"); }
  // The token of an `Authorization: Bearer <token>` header.
  std::optional<std::string_view> bearer_token() const;
};

// A complete response returned by a route handler.
struct response {
  int status = 200;
  http::headers headers;
  std::string body;

  static response json(std::string body, int status = 200);
  static response text(std::string body, int status = 200);
  // `{"error":{"code":"<code>","message":"<message>"}}` with the given status.
  static response error(int status, std::string_view code, std::string_view message);
  static response no_content();
};

// The JSON body of response::error.
std::string error_body(std::string_view code, std::string_view message);

// Standard reason phrase ("Not Found"); "Unknown" for codes it does not know.
std::string_view reason_phrase(int status) noexcept;

// --- URL pieces (pure functions, no I/O) ---------------------------------

// Decodes %XX escapes (and '+' as space when `plus_is_space`); nullopt on a
// malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);
std::string percent_encode(std::string_view s);

// Splits "a=1&b=x%20y" into decoded pairs; malformed escapes are kept raw.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view q);

// "http://host:port/path?query" (host may be a bracketed IPv6 literal).
struct url {
  std::string scheme;  // "http"
  std::string host;    // without brackets
  std::uint16_t port = 80;
  std::string target;  // path + query, at least "/"

  std::string authority() const;  // host[:port] as a Host header wants it
};
// On failure `error` (if given) says what is wrong; "https" is refused (no
// TLS in this module).
std::optional<url> parse_url(std::string_view s, std::string* error = nullptr);

}  // namespace agentp2p::http
