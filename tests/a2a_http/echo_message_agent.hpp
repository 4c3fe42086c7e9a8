// An agent that answers every new message at once with a message echoing its
// parts — no task (A2A's direct reply; agent_executor::replies_directly).
// The same work as the benchmark's @a2a-js/sdk reference executor
// (bench/perf/js/a2a_server.mjs), so `scripts/bench --only a2a` compares like
// with like; the interop test checks that SDK clients accept the Message.
#pragma once

#include "agentp2p/agent/a2a/agent_executor.hpp"
#include "agentp2p/agent/a2a/errors.hpp"

namespace a2a_http_test {

struct echo_message_agent final : agentp2p::a2a::agent_executor {
  bool replies_directly(const agentp2p::a2a::request_context&, const agentp2p::a2a::message&) const override {
    return true;
  }
  agentp2p::awaitable<agentp2p::result<agentp2p::a2a::message>> reply(agentp2p::a2a::reply_context ctx) override {
    agentp2p::a2a::message m;
    m.parts = std::move(ctx.input.parts);
    co_return m;  // the manager fills in role, context and message id
  }
  // Messages that continue a task never come here (replies_directly is only
  // asked about new ones) and this agent creates no task to continue.
  agentp2p::awaitable<void> execute(agentp2p::a2a::turn_context, std::shared_ptr<agentp2p::a2a::task_updater> u) override {
    (void)u->reject("this agent answers messages directly and keeps no tasks");
    co_return;
  }
};

}  // namespace a2a_http_test
