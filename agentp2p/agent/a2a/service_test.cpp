#include "agentp2p/agent/a2a/service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "agentp2p/agent/a2a/client.hpp"
#include "agentp2p/agent/a2a/errors.hpp"
#include "agentp2p/agent/a2a/test_util.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;
using multiformats::multiaddr;

namespace {

// Host `a` (the caller) and host `b` (the agent) on loopback.
struct agents {
  asio::io_context ctx;
  std::shared_ptr<host::host> a = host::builder{}.build(ctx.get_executor());
  std::shared_ptr<host::host> b = host::builder{}.build(ctx.get_executor());
  multiaddr b_addr;
  std::shared_ptr<test_tools> tools = std::make_shared<test_tools>();
  std::shared_ptr<a2a::task_manager> mgr;
  std::shared_ptr<a2a::service> svc;

  explicit agents(a2a::service_config cfg = {}, std::shared_ptr<a2a::agent_executor> agent = nullptr) {
    auto bound = b->listen(*multiaddr::parse("/ip4/127.0.0.1/tcp/0"));
    if (!bound) throw std::runtime_error(bound.error().what());
    b_addr = bound->encapsulate(*multiaddr::parse("/p2p/" + b->id().to_string()));
    if (!agent) agent = std::make_shared<a2a::tool_executor>(tools);
    mgr = open_manager(ctx.get_executor(), std::move(agent));
    a2a::card_config card;
    card.name = "agent-b";
    card.skills.push_back({"echo", "Echo", "Returns its arguments", {"tools"}, {}});
    svc = a2a::service::start(b, std::make_shared<a2a::dispatcher>(mgr, card), cfg);
  }

  awaitable<void> connect() {
    auto c = co_await a->connect(b_addr);
    if (!c) throw std::runtime_error(c.error().what());
  }
  awaitable<void> shutdown() {
    co_await mgr->close();
    co_await a->close();
    co_await b->close();
  }
};

int code(const agentp2p::error& e) { return a2a::rpc_code(e); }

// Writes `lines` on one raw /praxis/a2a/1.0.0 stream, reading one response after each.
awaitable<std::vector<json::value>> raw_exchange(agents& env, std::vector<std::string> lines) {
  std::vector<json::value> out;
  auto s = co_await env.a->new_stream(env.b->id(), a2a::protocol_id);
  if (!s) throw std::runtime_error(s.error().what());
  agent::json_line_reader reader(**s);
  for (auto& line : lines) {
    line.push_back('\n');
    auto w = co_await (*s)->write(as_bytes(line));
    if (!w) throw std::runtime_error(w.error().what());
    auto r = co_await reader.read();
    if (!r) throw std::runtime_error("no response to line " + std::to_string(out.size()) + ": " + r.error().what());
    out.push_back(std::move(*r));
  }
  (void)co_await (*s)->close_write();
  co_return out;
}

std::string line(std::string_view method, json::object params, int id = 1) {
  return json::serialize(a2a::make_request(id, method, std::move(params)));
}

json::object id_params(const std::string& id) {
  json::object p;
  p["id"] = id;
  return p;
}

std::vector<std::string> cancel_lines(const std::string& id) {
  return {line("CancelTask", id_params(id)), line("tasks/cancel", id_params(id))};
}

int error_code(const json::value& r) { return static_cast<int>(r.at("error").at("code").as_int64()); }

awaitable<std::vector<a2a::stream_item>> collect(a2a::event_stream& s) {
  std::vector<a2a::stream_item> items;
  for (;;) {
    auto item = co_await s.next();
    if (!item) throw std::runtime_error(item.error().what());
    if (!*item) break;
    items.push_back(std::move(**item));
  }
  co_return items;
}

a2a::task_state item_state(const a2a::stream_item& i) {
  if (auto* t = std::get_if<a2a::task>(&i)) return t->status.state;
  if (auto* s = std::get_if<a2a::status_update>(&i)) return s->status.state;
  return a2a::task_state::unknown;
}

void client_round_trip(a2a::dialect version) {
  agents env;
  a2a::client_config cc;
  cc.version = version;
  a2a::client client(env.a, cc);
  const auto b = env.b->id();
  test::run_void(env.ctx, [&](executor) -> awaitable<void> {
    co_await env.connect();
    json::object args;
    args["text"] = "over the wire";

    // send: blocks until the tool ran.
    auto sent = co_await client.send(b, tool_message("echo", args));
    EXPECT_TRUE(sent) << sent.error().what();
    const auto* t = sent ? std::get_if<a2a::task>(&*sent) : nullptr;
    EXPECT_TRUE(t) << "the agent answered with a message, not a task";
    if (t) {
      EXPECT_EQ(t->status.state, a2a::task_state::completed);
      EXPECT_EQ(t->artifacts.at(0).parts.at(0).as_data()->data.at("text"), "over the wire");
    }

    // stream: the task, then working, the artifact, completed.
    auto st = co_await client.stream(b, tool_message("echo", args));
    EXPECT_TRUE(st) << st.error().what();
    auto items = co_await collect(*st);
    EXPECT_EQ(items.size(), 4u);
    if (items.size() == 4) {
      EXPECT_EQ(item_state(items[0]), a2a::task_state::submitted);
      EXPECT_EQ(item_state(items[1]), a2a::task_state::working);
      EXPECT_TRUE(std::holds_alternative<a2a::artifact_update>(items[2]));
      EXPECT_EQ(item_state(items[3]), a2a::task_state::completed);
    }

    // get
    auto got = co_await client.get(b, t->id, 1);
    EXPECT_TRUE(got) << got.error().what();
    if (got) {
      EXPECT_EQ(got->status.state, a2a::task_state::completed);
      EXPECT_EQ(got->history.size(), 1u);
    }

    // cancel a running task, while a second stream watches it.
    a2a::send_options later;
    later.blocking = false;
    auto slow_sent = co_await client.send(b, tool_message("slow"), later);
    EXPECT_TRUE(slow_sent) << slow_sent.error().what();
    const auto* slow = slow_sent ? std::get_if<a2a::task>(&*slow_sent) : nullptr;
    EXPECT_TRUE(slow) << "the agent answered with a message, not a task";
    const std::string slow_id = slow ? slow->id : "";
    auto watch = co_await client.resubscribe(b, slow_id);
    EXPECT_TRUE(watch) << watch.error().what();
    auto first = co_await watch->next();
    EXPECT_TRUE(first && *first);
    auto canceled = co_await client.cancel(b, slow_id);
    EXPECT_TRUE(canceled) << canceled.error().what();
    if (canceled) {
      EXPECT_EQ(canceled->status.state, a2a::task_state::canceled);
    }
    auto rest = co_await collect(*watch);
    EXPECT_FALSE(rest.empty());
    if (!rest.empty()) {
      EXPECT_EQ(item_state(rest.back()), a2a::task_state::canceled);
    }

    // Finished tasks cannot be canceled, unknown ones are not found.
    auto again = co_await client.cancel(b, t->id);
    EXPECT_FALSE(again);
    if (!again) {
      EXPECT_EQ(code(again.error()), -32002);
    }
    auto unknown = co_await client.get(b, "no-such-task");
    EXPECT_FALSE(unknown);
    if (!unknown) {
      EXPECT_EQ(code(unknown.error()), -32001);
    }

    // list, newest first, one page of two then the rest.
    a2a::list_request q;
    q.page_size = 2;
    auto page = co_await client.list(b, q);
    EXPECT_TRUE(page) << page.error().what();
    if (page) {
      EXPECT_EQ(page->total_size, 3u);
      EXPECT_EQ(page->tasks.size(), 2u);
      EXPECT_FALSE(page->next_page_token.empty());
      q.page_token = page->next_page_token;
      auto second = co_await client.list(b, q);
      EXPECT_TRUE(second && second->tasks.size() == 1 && second->next_page_token.empty());
    }
    a2a::list_request only_canceled;
    only_canceled.state = a2a::task_state::canceled;
    auto c = co_await client.list(b, only_canceled);
    EXPECT_TRUE(c && c->total_size == 1);

    auto card = co_await client.extended_card(b);
    EXPECT_TRUE(card);
    if (card) {
      EXPECT_EQ(card->at("name"), "agent-b");
    }
    co_await env.shutdown();
  });
}

}  // namespace

TEST(a2a_service, client_with_a2a_1_0_method_names) { client_round_trip(a2a::dialect::v1_0); }

TEST(a2a_service, client_with_a2a_0_3_method_names) { client_round_trip(a2a::dialect::v0_3); }

TEST(a2a_service, several_requests_share_one_stream) {
  agents env;
  json::object send;
  send["message"] = a2a::to_json(tool_message("number"), a2a::dialect::v0_3);
  std::vector<std::string> lines{line("message/send", send, 1), line("GetExtendedAgentCard", {}, 2)};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(state_of(out[0].at("result")), "completed");
  EXPECT_EQ(out[1].at("id"), 2);
  EXPECT_EQ(out[1].at("result").at("name"), "agent-b");
}

TEST(a2a_service, a_non_json_line_gets_a_parse_error_and_the_stream_stays_usable) {
  agents env;
  std::vector<std::string> lines{"{this is not json", line("GetExtendedAgentCard", {}, 5)};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(out[0]), -32700);
  EXPECT_TRUE(out[0].at("id").is_null());
  EXPECT_EQ(out[1].at("id"), 5);
  EXPECT_TRUE(out[1].as_object().contains("result"));
}

TEST(a2a_service, a_line_over_the_limit_is_refused_and_the_stream_stays_usable) {
  a2a::service_config cfg;
  cfg.max_line = 1024;
  agents env(cfg);
  json::object big;
  big["id"] = std::string(4000, 'x');
  std::vector<std::string> lines{line("GetTask", big, 1), line("GetExtendedAgentCard", {}, 2)};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(error_code(out[0]), -32600);
  EXPECT_NE(std::string(out[0].at("error").at("message").as_string()).find("1024"), std::string::npos);
  EXPECT_EQ(out[1].at("id"), 2);
}

TEST(a2a_service, an_unknown_method_is_method_not_found) {
  agents env;
  std::vector<std::string> lines{line("tasks/teleport", {}, 9)};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  EXPECT_EQ(error_code(out.at(0)), -32601);
  EXPECT_EQ(out.at(0).at("id"), 9);
}

TEST(a2a_service, bad_params_are_invalid_params) {
  agents env;
  json::object no_parts;
  no_parts["message"] = json::object{{"messageId", "m"}, {"role", "user"}, {"parts", json::array{}}};
  std::vector<std::string> lines{line("SendMessage", no_parts), line("ListTasks", json::object{{"pageSize", 0}})};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  EXPECT_EQ(error_code(out.at(0)), -32602);
  EXPECT_NE(std::string(out.at(0).at("error").at("message").as_string()).find("parts"), std::string::npos);
  EXPECT_EQ(error_code(out.at(1)), -32602);
}

TEST(a2a_service, an_unknown_task_is_task_not_found) {
  agents env;
  std::vector<std::string> lines{line("tasks/get", id_params("missing")),
                                 line("SubscribeToTask", id_params("missing"))};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto r = co_await raw_exchange(env, lines);
    co_await env.shutdown();
    co_return r;
  });
  EXPECT_EQ(error_code(out.at(0)), -32001);
  EXPECT_EQ(error_code(out.at(1)), -32001);
}

TEST(a2a_service, canceling_a_completed_task_is_not_cancelable) {
  agents env;
  json::object send;
  send["message"] = a2a::to_json(tool_message("number"), a2a::dialect::v1_0);
  std::vector<std::string> lines{line("SendMessage", send)};
  auto out = test::run<std::vector<json::value>>(env.ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    co_await env.connect();
    auto first = co_await raw_exchange(env, lines);
    std::string id(first.at(0).at("result").at("task").at("id").as_string());
    auto r = co_await raw_exchange(env, cancel_lines(id));
    co_await env.shutdown();
    co_return r;
  });
  EXPECT_EQ(error_code(out.at(0)), -32002);
  EXPECT_EQ(error_code(out.at(1)), -32002);
}

TEST(a2a_service, another_peer_cannot_see_our_tasks) {
  agents env;
  auto c = host::builder{}.build(env.ctx.get_executor());
  a2a::client from_a(env.a), from_c(c);
  test::run_void(env.ctx, [&](executor) -> awaitable<void> {
    co_await env.connect();
    auto c_conn = co_await c->connect(env.b_addr);
    EXPECT_TRUE(c_conn);
    auto sent = co_await from_a.send(env.b->id(), tool_message("number"));
    const auto* t = sent ? std::get_if<a2a::task>(&*sent) : nullptr;
    EXPECT_TRUE(t);
    const std::string id = t ? t->id : "";
    auto peek = co_await from_c.get(env.b->id(), id);
    EXPECT_FALSE(peek);
    if (!peek) {
      EXPECT_EQ(code(peek.error()), -32001);
    }
    auto mine = co_await from_c.list(env.b->id());
    EXPECT_TRUE(mine && mine->total_size == 0);
    co_await c->close();
    co_await env.shutdown();
  });
}

TEST(a2a_service, card_request_and_offer) {
  agents env;
  a2a::client client(env.a);
  test::run_void(env.ctx, [&](executor) -> awaitable<void> {
    co_await env.connect();
    auto card = co_await client.request_card(env.b->id());
    EXPECT_TRUE(card) << card.error().what();
    if (card) {
      EXPECT_EQ(card->at("name"), "agent-b");
      EXPECT_EQ(card->at("protocolVersion"), "0.3.0");
      EXPECT_EQ(card->at("url"), json::value("/p2p/" + env.b->id().to_string()));
      EXPECT_EQ(card->at("skills").at(0).at("id"), "echo");
    }
    a2a::card_config mine;
    mine.name = "agent-a";
    auto offered = co_await client.offer_card(env.b->id(), a2a::agent_card_v03(mine));
    EXPECT_TRUE(offered) << offered.error().what();
    co_await env.shutdown();
  });
  auto stored = env.svc->peer_card(env.a->id());
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->at("name"), "agent-a");
}

TEST(a2a_service, card_protocol_rejects_unknown_messages) {
  agents env;
  auto reply = test::run<json::value>(env.ctx, [&](executor) -> awaitable<json::value> {
    co_await env.connect();
    auto s = co_await env.a->new_stream(env.b->id(), a2a::card_protocol_id);
    EXPECT_TRUE(s);
    (void)co_await (*s)->write(as_bytes(std::string("{\"type\":\"gossip\"}\n")));
    agent::json_line_reader reader(**s);
    auto r = co_await reader.read();
    co_await env.shutdown();
    co_return r ? *r : json::value(nullptr);
  });
  EXPECT_EQ(reply.at("type"), "error");
  EXPECT_NE(std::string(reply.at("error").as_string()).find("gossip"), std::string::npos);
}

namespace {

// Answers every new message directly with who asked (no task).
struct peer_echo final : a2a::agent_executor {
  bool replies_directly(const a2a::request_context&, const a2a::message&) const override { return true; }
  awaitable<result<a2a::message>> reply(a2a::reply_context ctx) override {
    a2a::message m;
    m.parts.push_back(a2a::part::text("hello " + (ctx.caller.peer ? ctx.caller.peer->to_string() : "local")));
    co_return m;
  }
  awaitable<void> execute(a2a::turn_context, std::shared_ptr<a2a::task_updater> u) override {
    (void)u->reject("direct replies only");
    co_return;
  }
};

}  // namespace

TEST(a2a_service, a_direct_reply_reaches_a_remote_peer_as_a_message) {
  agents env({}, std::make_shared<peer_echo>());
  a2a::client client(env.a);
  test::run_void(env.ctx, [&](executor) -> awaitable<void> {
    co_await env.connect();
    const std::string expected = "hello " + env.a->id().to_string();
    // The stream carries the message as its only item.
    auto st = co_await client.stream(env.b->id(), text_message("hi"));
    EXPECT_TRUE(st) << st.error().what();
    if (st) {
      auto items = co_await collect(*st);
      EXPECT_EQ(items.size(), 1u);
      if (items.size() == 1) {
        const auto* m = std::get_if<a2a::message>(&items[0]);
        EXPECT_TRUE(m);
        if (m) {
          EXPECT_EQ(a2a::text_of(*m), expected);
          EXPECT_EQ(m->role, a2a::role::agent);
        }
      }
    }
    // The raw 1.0 answer to SendMessage; nothing was stored for the peer.
    json::object p;
    p["message"] = a2a::to_json(text_message("hi"), a2a::dialect::v1_0);
    std::vector<std::string> lines;  // named: g++ 12 cannot put a braced list in a co_await's frame
    lines.push_back(line("SendMessage", p));
    lines.push_back(line("ListTasks", json::object{}));
    auto out = co_await raw_exchange(env, std::move(lines));
    EXPECT_EQ(a2a::text_of(*a2a::parse_message(out.at(0).at("result").at("message"))), expected);
    EXPECT_EQ(out.at(1).at("result").at("totalSize"), 0);
    // Our client's unary send hands the caller the message.
    auto sent = co_await client.send(env.b->id(), text_message("hi"));
    EXPECT_TRUE(sent) << sent.error().what();
    const auto* reply = sent ? std::get_if<a2a::message>(&*sent) : nullptr;
    EXPECT_TRUE(reply) << "expected the direct reply, got a task";
    if (reply) {
      EXPECT_EQ(a2a::text_of(*reply), expected);
      EXPECT_EQ(reply->role, a2a::role::agent);
    }
    co_await env.shutdown();
  });
}
