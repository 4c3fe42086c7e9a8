#include "agentp2p/agent/wire/json_lines.hpp"

#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agentp2p/base/counters.hpp"

namespace agentp2p::agent {

namespace {
// Counted once per over-long line, where it is detected.
error line_too_long(std::size_t max_line) {
  static auto& c = counters::limit("wire", "json_line_too_long", "JSON lines refused: longer than max_line");
  counters::count_and_log(c, "refusing a JSON line longer than " + std::to_string(max_line) + " bytes");
  return make_error(errc::too_large, "line exceeds the limit of " + std::to_string(max_line) + " bytes");
}
}  // namespace

awaitable<result<std::string>> json_line_reader::read_line() {
  // Not value-initialised: zeroing 16 KiB on every line was the top hot spot
  // of MCP over stdio (callgrind: 19% of the server's instructions per call).
  std::array<std::uint8_t, 16384> chunk;
  std::size_t scanned = 0;
  for (;;) {
    auto nl = buffer_.find('\n', scanned);
    if (nl != std::string::npos) {
      if (discarding_) {
        // The tail of an over-long line: drop it and report the overflow once.
        buffer_.erase(0, nl + 1);
        discarding_ = false;
        co_return line_too_long(max_line_);
      }
      if (nl > max_line_) {
        buffer_.erase(0, nl + 1);
        co_return line_too_long(max_line_);
      }
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      co_return line;
    }
    scanned = buffer_.size();
    if (buffer_.size() > max_line_) {
      buffer_.clear();
      scanned = 0;
      discarding_ = true;
    }
    auto n = co_await stream_.read_some(chunk);
    if (!n) {
      if (n.error().is(errc::end_of_stream)) {
        if (discarding_) {
          discarding_ = false;
          co_return line_too_long(max_line_);
        }
        if (!buffer_.empty()) {
          // A final line without '\n' is accepted (some peers close instead of terminating it).
          std::string line = std::move(buffer_);
          buffer_.clear();
          co_return line;
        }
      }
      co_return std::move(n).error();
    }
    buffer_.append(reinterpret_cast<const char*>(chunk.data()), *n);
  }
}

awaitable<result<boost::json::value>> json_line_reader::read() {
  for (;;) {
    AP_CO_TRY(auto line, co_await read_line());
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines are keep-alives
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec) co_return make_error(errc::decode_error, "not JSON: " + ec.message());
    co_return v;
  }
}

awaitable<result<void>> write_json_line(core::byte_stream& s, const boost::json::value& v) {
  std::string out = boost::json::serialize(v);
  out.push_back('\n');
  co_return co_await s.write(as_bytes(out));
}

}  // namespace agentp2p::agent
