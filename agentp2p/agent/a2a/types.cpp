#include "agentp2p/agent/a2a/types.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>

namespace agentp2p::a2a {

bool is_terminal(task_state s) noexcept {
  return s == task_state::completed || s == task_state::canceled || s == task_state::failed ||
         s == task_state::rejected;
}

bool is_interrupted(task_state s) noexcept { return s == task_state::input_required || s == task_state::auth_required; }

std::string_view to_string(task_state s) noexcept {
  switch (s) {
    case task_state::unknown:
      return "unknown";
    case task_state::submitted:
      return "submitted";
    case task_state::working:
      return "working";
    case task_state::input_required:
      return "input-required";
    case task_state::auth_required:
      return "auth-required";
    case task_state::completed:
      return "completed";
    case task_state::canceled:
      return "canceled";
    case task_state::failed:
      return "failed";
    case task_state::rejected:
      return "rejected";
  }
  return "unknown";
}

timestamp now() noexcept {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string format_timestamp(timestamp t) {
  auto ms = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  int frac = static_cast<int>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  // Civil date from days since the epoch (Howard Hinnant's algorithm), with
  // plain digit writes: gmtime_r + snprintf were a visible part of each A2A
  // status update.
  long long days = secs / 86400;
  long long rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  days += 719468;
  long long era = (days >= 0 ? days : days - 146096) / 146097;
  long long doe = days - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = yoe + era * 400;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1;
  long long m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 0 || y > 9999) {  // outside what the format can say: clamp
    y = y < 0 ? 0 : 9999;
  }
  char buf[24];
  auto put = [&buf](int at, long long v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      buf[at + i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, m, 2);
  buf[7] = '-';
  put(8, d, 2);
  buf[10] = 'T';
  put(11, rem / 3600, 2);
  buf[13] = ':';
  put(14, rem / 60 % 60, 2);
  buf[16] = ':';
  put(17, rem % 60, 2);
  buf[19] = '.';
  put(20, frac, 3);
  buf[23] = 'Z';
  return std::string(buf, 24);
}

namespace {

bool read_int(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  for (std::size_t i = 0; i < digits; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  std::from_chars(s.data(), s.data() + digits, out);
  s.remove_prefix(digits);
  return true;
}

bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<timestamp> parse_timestamp(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_int(s, 4, y) || !expect(s, '-') || !read_int(s, 2, mo) || !expect(s, '-') || !read_int(s, 2, d))
    return std::nullopt;
  if (s.empty() || (s.front() != 'T' && s.front() != 't' && s.front() != ' ')) return std::nullopt;
  s.remove_prefix(1);
  if (!read_int(s, 2, h) || !expect(s, ':') || !read_int(s, 2, mi) || !expect(s, ':') || !read_int(s, 2, sec))
    return std::nullopt;
  int ms = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int scale = 100, n = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
      if (n++ < 3) ms += (s.front() - '0') * scale, scale /= 10;
      s.remove_prefix(1);
    }
    if (n == 0) return std::nullopt;
  }
  if (s != "Z" && s != "z" && s != "+00:00") return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return timestamp{sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{sec} + milliseconds{ms}};
}

std::string new_id() {
  // Ids only need to be unique, not secret: tasks are scoped to their owner.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  // 8-4-4-4-12 lowercase hex digits (snprintf was most of the cost).
  static constexpr char hex[] = "0123456789abcdef";
  char buf[36];
  int at = 0;
  auto put = [&](std::uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) buf[at + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xf];
    at += digits;
  };
  put(hi >> 32, 8);
  buf[at++] = '-';
  put((hi >> 16) & 0xffff, 4);
  buf[at++] = '-';
  put(hi & 0xffff, 4);
  buf[at++] = '-';
  put(lo >> 48, 4);
  buf[at++] = '-';
  put(lo & 0xffffffffffffULL, 12);
  return std::string(buf, 36);
}

part part::text(std::string t) { return part{text_part{std::move(t)}, {}, {}, std::nullopt}; }

part part::data(boost::json::value v) { return part{data_part{std::move(v)}, {}, {}, std::nullopt}; }

std::string text_of(const message& m) {
  std::string out;
  for (const auto& p : m.parts) {
    if (const auto* t = p.as_text()) {
      if (!out.empty()) out.push_back('\n');
      out += t->text;
    }
  }
  return out;
}

}  // namespace agentp2p::a2a
