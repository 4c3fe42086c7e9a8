#include "agentp2p/http/sse.hpp"

#include <charconv>

namespace agentp2p::http {

sse_event make_sse_event(std::string data, std::string event, std::optional<std::string> id) {
  sse_event ev;
  ev.data = std::move(data);
  ev.event = std::move(event);
  ev.id = std::move(id);
  return ev;
}

namespace {

std::string single_line(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

// Appends "<prefix><line>\n" for every line of `text` (CRLF, LF or CR ends a
// line); an empty text still yields one line.
void append_lines(std::string& out, std::string_view prefix, std::string_view text) {
  std::size_t start = 0;
  while (true) {
    auto end = text.find_first_of("\r\n", start);
    out += prefix;
    out += text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (text[end] == '\r' && start < text.size() && text[start] == '\n') ++start;
    if (start == text.size()) {
      // A trailing newline means one more (empty) line of data.
      out += prefix;
      out += '\n';
      break;
    }
  }
}

}  // namespace

std::string format_sse_event(const sse_event& ev) {
  std::string out;
  out.reserve(ev.data.size() + 64);
  if (ev.id && ev.id->find('\0') == std::string::npos) {
    out += "id: ";
    out += single_line(*ev.id);
    out += '\n';
  }
  if (!ev.event.empty()) {
    out += "event: ";
    out += single_line(ev.event);
    out += '\n';
  }
  if (ev.retry_ms) out += "retry: " + std::to_string(*ev.retry_ms) + "\n";
  append_lines(out, "data: ", ev.data);
  out += '\n';
  return out;
}

std::string format_sse_comment(std::string_view text) {
  std::string out;
  append_lines(out, ": ", text);
  out += '\n';
  return out;
}

result<void> sse_parser::feed(std::string_view bytes) {
  if (first_ && !bytes.empty()) {
    // The UTF-8 BOM may arrive split; only handle the common whole case.
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    first_ = false;
  }
  std::size_t i = 0;
  if (skip_lf_ && !bytes.empty()) {
    if (bytes.front() == '\n') i = 1;
    skip_lf_ = false;
  }
  while (i < bytes.size()) {
    auto end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      partial_.append(bytes.substr(i));
      if (partial_.size() + data_.size() > max_)
        return make_error(errc::too_large, "SSE event exceeds " + std::to_string(max_) + " bytes");
      break;
    }
    if (partial_.empty()) {
      line(bytes.substr(i, end - i));
    } else {
      partial_.append(bytes.substr(i, end - i));
      std::string l = std::move(partial_);
      partial_.clear();
      line(l);
    }
    if (data_.size() > max_) return make_error(errc::too_large, "SSE event exceeds " + std::to_string(max_) + " bytes");
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i < bytes.size()) {
        if (bytes[i] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
  }
  return ok();
}

void sse_parser::line(std::string_view l) {
  if (l.empty()) {
    dispatch();
    return;
  }
  if (l.front() == ':') return;  // comment
  auto colon = l.find(':');
  std::string_view field = l.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value);
    data_.push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    type_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      id_ = std::string(value);
      last_id_ = id_;
    }
  } else if (field == "retry") {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec == std::errc() && p == value.data() + value.size() && !value.empty()) {
      retry_ = v;
      event_retry_ = v;
    }
  }
}

void sse_parser::dispatch() {
  if (has_data_) {
    sse_event ev;
    ev.data = std::move(data_);
    if (!ev.data.empty() && ev.data.back() == '\n') ev.data.pop_back();
    ev.event = std::move(type_);
    ev.id = last_id_;
    ev.retry_ms = event_retry_;
    if (head_ > 0 && head_ == ready_.size()) {
      ready_.clear();
      head_ = 0;
    }
    ready_.push_back(std::move(ev));
  }
  data_.clear();
  has_data_ = false;
  type_.clear();
  id_.reset();
  event_retry_.reset();
}

bool sse_parser::finish() {
  bool pending = has_data_ || !partial_.empty();
  partial_.clear();
  data_.clear();
  has_data_ = false;
  type_.clear();
  return pending;
}

std::optional<sse_event> sse_parser::next() {
  if (head_ >= ready_.size()) return std::nullopt;
  auto ev = std::move(ready_[head_++]);
  if (head_ == ready_.size()) {
    ready_.clear();
    head_ = 0;
  }
  return ev;
}

}  // namespace agentp2p::http
