// Run a coroutine to completion on a fresh io_context, bounded in time.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "agentp2p/base/asio.hpp"

namespace agentp2p::test {

// Runs `make(executor)`'s awaitable on `ctx` until it finishes or `limit`
// passes; throws std::runtime_error on timeout (so a hung test fails instead
// of hanging ctest) and rethrows exceptions from the coroutine.
template <class T, class Factory>
T run(asio::io_context& ctx, Factory make, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  std::optional<T> out;
  std::exception_ptr failure;
  asio::co_spawn(ctx, make(ctx.get_executor()), [&](std::exception_ptr e, T v) {
    failure = e;
    if (!e) out.emplace(std::move(v));
  });
  ctx.restart();
  ctx.run_for(limit);
  if (failure) std::rethrow_exception(failure);
  if (!out) throw std::runtime_error("test coroutine did not finish in time");
  return std::move(*out);
}

// Variant for awaitable<void>.
template <class Factory>
void run_void(asio::io_context& ctx, Factory make, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  bool done = false;
  std::exception_ptr failure;
  asio::co_spawn(ctx, make(ctx.get_executor()), [&](std::exception_ptr e) {
    failure = e;
    done = true;
  });
  ctx.restart();
  ctx.run_for(limit);
  if (failure) std::rethrow_exception(failure);
  if (!done) throw std::runtime_error("test coroutine did not finish in time");
}

}  // namespace agentp2p::test
