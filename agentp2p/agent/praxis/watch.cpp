#include "agentp2p/agent/praxis/watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentp2p::praxis {

namespace {

// Ends only when cancelled (by the race in run_watching).
awaitable<void> wait_until_cancelled() {
  asio::steady_timer never(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  (void)co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
}

// Completes only when the stream broke; otherwise it is cancelled when the
// call ends. Reading is cancel-safe: json_line_reader keeps partial lines.
awaitable<void> watch(agent::json_line_reader& reader, backlog& pending, std::size_t max_backlog) {
  for (;;) {
    if (pending.eof || pending.lines.size() >= max_backlog) {
      co_await wait_until_cancelled();
      co_return;
    }
    auto line = co_await reader.read();
    if (line || line.error().is(errc::decode_error) || line.error().is(errc::too_large)) {
      pending.lines.push_back(std::move(line));
      continue;
    }
    if (line.error().is(errc::end_of_stream)) {
      pending.eof = true;
      continue;
    }
    if (line.error().is(errc::cancelled)) co_return;  // the call finished first
    pending.failure = std::move(line).error();
    co_return;
  }
}

}  // namespace

awaitable<result<boost::json::value>> run_watching(awaitable<result<boost::json::value>> op,
                                                   agent::json_line_reader& reader, backlog& pending,
                                                   std::size_t max_backlog) {
  using namespace asio::experimental::awaitable_operators;
  auto winner = co_await (std::move(op) || watch(reader, pending, max_backlog));
  if (winner.index() == 0) co_return std::move(std::get<0>(winner));
  co_return make_error(errc::cancelled, "the caller went away" +
                                            (pending.failure ? ": " + pending.failure->message : std::string()));
}

}  // namespace agentp2p::praxis
