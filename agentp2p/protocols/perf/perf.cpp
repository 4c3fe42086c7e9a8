#include "agentp2p/protocols/perf/perf.hpp"

#include <array>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "agentp2p/base/deadline.hpp"

namespace agentp2p::perf {

namespace {

using clock = std::chrono::steady_clock;

std::array<std::uint8_t, 8> encode_u64(std::uint64_t v) {
  std::array<std::uint8_t, 8> out{};
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
  return out;
}

std::uint64_t decode_u64(const std::array<std::uint8_t, 8>& in) {
  std::uint64_t v = 0;
  for (auto b : in) v = (v << 8) | b;
  return v;
}

double seconds_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Counts bytes and emits an intermediary report about once a second.
class meter {
 public:
  explicit meter(progress_handler h) : handler_(std::move(h)), start_(clock::now()), last_(start_) {}

  void add(std::uint64_t up, std::uint64_t down) {
    up_ += up;
    down_ += down;
    if (!handler_) return;
    auto now = clock::now();
    if (now - last_ < std::chrono::seconds(1)) return;
    report r;
    r.type = report::kind::intermediary;
    r.time_seconds = seconds_between(last_, now);
    r.upload_bytes = up_ - up_reported_;
    r.download_bytes = down_ - down_reported_;
    handler_(r);
    last_ = now;
    up_reported_ = up_;
    down_reported_ = down_;
  }

  report final_report() const {
    report r;
    r.type = report::kind::final;
    r.time_seconds = seconds_between(start_, clock::now());
    r.upload_bytes = up_;
    r.download_bytes = down_;
    return r;
  }

 private:
  progress_handler handler_;
  clock::time_point start_, last_;
  std::uint64_t up_ = 0, down_ = 0, up_reported_ = 0, down_reported_ = 0;
};

// Both directions run under one idle_deadline (beside them, with ||): a
// with_deadline per chunk cost a timer and a parallel group each.
awaitable<result<void>> write_zeros(host::stream& s, std::uint64_t n, const std::vector<std::uint8_t>& chunk,
                                    idle_deadline& idle, meter* m) {
  while (n > 0) {
    auto k = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk.size()));
    AP_CO_TRYV(co_await s.write(byte_span(chunk.data(), k)));
    idle.progress();
    n -= k;
    if (m) m->add(k, 0);
  }
  co_return ok();
}

// Reads until end of stream; returns how many bytes came (at most `limit`,
// more is a protocol error).
awaitable<result<std::uint64_t>> read_all(host::stream& s, std::uint64_t limit, std::vector<std::uint8_t>& chunk,
                                          idle_deadline& idle, meter* m) {
  std::uint64_t got = 0;
  for (;;) {
    auto n = co_await s.read_some(mutable_byte_span(chunk.data(), chunk.size()));
    idle.progress();
    if (!n) {
      if (n.error().is(errc::end_of_stream)) co_return got;
      co_return std::move(n).error();
    }
    got += *n;
    if (got > limit)
      co_return make_error(errc::protocol_error, "perf: peer sent more than the " + std::to_string(limit) +
                                                     " bytes asked for");
    if (m) m->add(0, *n);
  }
}

awaitable<result<void>> serve_transfer(host::stream& s, std::uint64_t send, config cfg, idle_deadline& idle) {
  std::vector<std::uint8_t> chunk(cfg.chunk_size);
  // The upload is counted, not kept; its size is the client's business.
  AP_CO_TRYV(co_await read_all(s, UINT64_MAX, chunk, idle, nullptr));
  std::fill(chunk.begin(), chunk.end(), 0);
  co_return co_await write_zeros(s, send, chunk, idle, nullptr);
}

awaitable<result<void>> run_transfer(host::stream& s, std::array<std::uint8_t, 8> header, std::uint64_t up,
                                     std::uint64_t down, std::vector<std::uint8_t>& chunk, idle_deadline& idle,
                                     meter& m) {
  AP_CO_TRYV(co_await s.write(header));
  idle.progress();
  AP_CO_TRYV(co_await write_zeros(s, up, chunk, idle, &m));
  AP_CO_TRYV(co_await s.close_write());
  AP_CO_TRY(auto got, co_await read_all(s, down, chunk, idle, &m));
  if (got != down)
    co_return make_error(errc::protocol_error, "perf: server sent " + std::to_string(got) + " of the " +
                                                   std::to_string(down) + " bytes asked for");
  co_return ok();
}

}  // namespace

std::string to_json(const report& r) {
  char buf[192];
  std::snprintf(buf, sizeof buf, R"({"type":"%s","timeSeconds":%.6f,"uploadBytes":%llu,"downloadBytes":%llu})",
                r.type == report::kind::final ? "final" : "intermediary", r.time_seconds,
                static_cast<unsigned long long>(r.upload_bytes), static_cast<unsigned long long>(r.download_bytes));
  return buf;
}

awaitable<void> serve(std::shared_ptr<host::stream> s, config cfg) {
  std::array<std::uint8_t, 8> header{};
  auto got = co_await with_deadline(core::read_exact(*s, header), cfg.idle_timeout, "perf: request");
  if (!got) {
    s->reset();
    co_return;
  }
  const std::uint64_t send = decode_u64(header);
  if (send > cfg.max_download_bytes) {
    s->reset();
    co_return;
  }
  using namespace asio::experimental::awaitable_operators;
  idle_deadline idle(cfg.idle_timeout);
  auto first = co_await (serve_transfer(*s, send, cfg, idle) || idle.watch("perf"));
  auto done = std::visit([](auto& r) -> result<void> { return std::move(r); }, first);
  if (!done) {
    s->reset();
    co_return;
  }
  (void)co_await s->close_write();
}

std::shared_ptr<service> service::start(std::shared_ptr<host::host> h, config cfg) {
  std::shared_ptr<service> svc(new service(h, cfg));
  h->set_stream_handler(std::string(protocol_id), [cfg](std::shared_ptr<host::stream> st) -> awaitable<void> {
    return serve(std::move(st), cfg);
  });
  return svc;
}

service::~service() {
  if (auto h = host_.lock()) h->remove_stream_handler(protocol_id);
}

awaitable<result<report>> measure(host::host& h, std::shared_ptr<host::connection> conn, std::uint64_t upload_bytes,
                                  std::uint64_t download_bytes, progress_handler on_progress, config cfg) {
  meter m(std::move(on_progress));
  AP_CO_TRY(auto s, co_await h.new_stream(conn, protocol_id));
  const auto header = encode_u64(download_bytes);
  std::vector<std::uint8_t> chunk(cfg.chunk_size, 0);
  using namespace asio::experimental::awaitable_operators;
  idle_deadline idle(cfg.idle_timeout);
  auto first = co_await (run_transfer(*s, header, upload_bytes, download_bytes, chunk, idle, m) || idle.watch("perf"));
  auto r = std::visit([](auto& v) -> result<void> { return std::move(v); }, first);
  if (!r) {
    s->reset();
    co_return std::move(r).error();
  }
  co_return m.final_report();
}

awaitable<result<report>> measure(host::host& h, std::shared_ptr<host::connection> conn, std::uint64_t upload_bytes,
                                  std::uint64_t download_bytes) {
  co_return co_await measure(h, std::move(conn), upload_bytes, download_bytes, progress_handler{}, config{});
}

}  // namespace agentp2p::perf
