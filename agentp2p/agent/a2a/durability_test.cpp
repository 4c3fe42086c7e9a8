// Acknowledged means durable: a node that told a client a task finished and
// is then killed with SIGKILL (no destructor, no final flush) still has that
// task, with its artifacts, in its database.
//
// A forked child runs a task manager on a file database with a flush delay
// of an hour (so only the durability waits can have written anything),
// answers a few requests, reports each reply through a pipe and then stops
// (it blocks until the parent kills it). The parent kills it with SIGKILL,
// reopens the database and checks every task against the reply.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "agentp2p/agent/a2a/test_util.hpp"
#include "agentp2p/base/deadline.hpp"
#include "tests/support/run.hpp"

using namespace agentp2p;
using namespace a2a_test;

namespace {

std::string request(std::string_view method, const json::object& params, int id) {
  return json::serialize(a2a::make_request(id, method, params));
}

json::object send_params(const a2a::message& m, bool return_immediately) {
  json::object p;
  p["message"] = a2a::to_json(m, a2a::dialect::v1_0);
  if (return_immediately) {
    json::object c;
    c["returnImmediately"] = true;
    p["configuration"] = std::move(c);
  }
  return p;
}

json::object id_params(const std::string& id) {
  json::object p;
  p["id"] = id;
  return p;
}

// Request lines, built outside the coroutine (no braced lists across a co_await).
std::string send_line(const char* method, const std::string& tool, int n, bool return_immediately, int id) {
  json::object args;
  args["n"] = n;
  return request(method, send_params(tool_message(tool, std::move(args)), return_immediately), id);
}

std::string id_line(const char* method, const std::string& task, int id) {
  return request(method, id_params(task), id);
}

void write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    auto n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) _exit(3);
    done += static_cast<std::size_t>(n);
  }
}

std::string task_id_of(const json::value& reply) {
  const auto& r = reply.at("result");
  if (const auto* t = r.as_object().if_contains("task")) return std::string(t->at("id").as_string());
  return std::string(r.at("id").as_string());
}

// The child: answers the requests, reports each reply as one line (the
// streaming call: its last response), then waits to be killed.
awaitable<void> serve(a2a::dispatcher& rpc, int report) {
  // 1. A blocking SendMessage: the reply says completed.
  {
    vector_sink sink;
    (void)co_await rpc.handle(send_line("SendMessage", "echo", 1, false, 1), a2a::request_context(), sink);
    write_all(report, json::serialize(sink.out.back()) + "\n");
  }
  // 2. A streaming send: its final event says completed.
  {
    vector_sink sink;
    (void)co_await rpc.handle(send_line("SendStreamingMessage", "echo", 2, false, 2), a2a::request_context(), sink);
    write_all(report, json::serialize(sink.out.front()) + "\n" + json::serialize(sink.out.back()) + "\n");
  }
  // 3. A send that returns at once, then GetTask until it reports completed.
  {
    vector_sink sink;
    (void)co_await rpc.handle(send_line("SendMessage", "echo", 3, true, 3), a2a::request_context(), sink);
    auto id = task_id_of(sink.out.back());
    for (int i = 0; i < 1000; ++i) {
      vector_sink got;
      (void)co_await rpc.handle(id_line("GetTask", id, 4), a2a::request_context(), got);
      if (state_of(got.out.back().at("result")) == "TASK_STATE_COMPLETED") {
        write_all(report, json::serialize(got.out.back()) + "\n");
        break;
      }
      co_await sleep_for(std::chrono::milliseconds(1));
    }
  }
  // 4. CancelTask of a running task: the reply says canceled.
  {
    vector_sink sink;
    (void)co_await rpc.handle(send_line("SendMessage", "slow", 5, true, 5), a2a::request_context(), sink);
    auto id = task_id_of(sink.out.back());
    vector_sink canceled;
    (void)co_await rpc.handle(id_line("CancelTask", id, 6), a2a::request_context(), canceled);
    write_all(report, json::serialize(canceled.out.back()) + "\n");
  }
  ::close(report);
  // Stop here, as if killed at this instant: nothing more runs.
  for (;;) ::pause();
}

[[noreturn]] void child(const std::string& path, int report) {
  asio::io_context ctx;
  a2a::manager_config cfg;
  cfg.flush_delay = std::chrono::hours(1);  // write-behind never writes by itself here
  auto mgr = open_manager(ctx.get_executor(), std::make_shared<a2a::tool_executor>(std::make_shared<test_tools>()),
                          cfg, path);
  a2a::dispatcher rpc{mgr, a2a::card_config{}};
  asio::co_spawn(ctx, serve(rpc, report), asio::detached);
  ctx.run();
  _exit(4);
}

// Reads lines from the child until it closes the pipe (bounded in time).
std::vector<std::string> read_report(int fd) {
  std::string all;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto nl = all.find('\n'); nl != std::string::npos; nl = all.find('\n', start)) {
    lines.push_back(all.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

TEST(a2a_durability, tasks_reported_finished_survive_sigkill) {
  temp_db db;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    child(db.path, fds[1]);
  }
  ::close(fds[1]);
  auto lines = read_report(fds[0]);
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child ended by itself: " << status;
  ASSERT_EQ(lines.size(), 5u) << "the child did not report every reply";

  struct expectation {
    std::string id;
    std::string state;
    bool artifact;
  };
  std::vector<expectation> expected;
  auto blocking = json::parse(lines[0]);
  ASSERT_EQ(state_of(blocking.at("result").at("task")), "TASK_STATE_COMPLETED") << lines[0];
  expected.push_back({task_id_of(blocking), "completed", true});
  auto first = json::parse(lines[1]);
  auto last = json::parse(lines[2]);
  ASSERT_EQ(last.at("result").at("statusUpdate").at("status").at("state"), "TASK_STATE_COMPLETED") << lines[2];
  expected.push_back({task_id_of(first), "completed", true});
  auto polled = json::parse(lines[3]);
  expected.push_back({std::string(polled.at("result").at("id").as_string()), "completed", true});
  auto canceled = json::parse(lines[4]);
  ASSERT_EQ(state_of(canceled.at("result")), "TASK_STATE_CANCELED") << lines[4];
  expected.push_back({std::string(canceled.at("result").at("id").as_string()), "canceled", false});

  // What a restarted node finds.
  auto store = a2a::sqlite_task_store::open(db.path);
  ASSERT_TRUE(store) << store.error().what();
  for (const auto& e : expected) {
    auto got = (*store)->get(e.id, std::nullopt);
    ASSERT_TRUE(got) << got.error().what();
    ASSERT_TRUE(got->has_value()) << "task " << e.id << " (reported " << e.state << ") is lost";
    EXPECT_EQ(a2a::to_string((*got)->task.status.state), e.state) << e.id;
    if (e.artifact) {
      ASSERT_EQ((*got)->task.artifacts.size(), 1u) << e.id;
      EXPECT_FALSE((*got)->task.artifacts[0].parts.empty());
    }
  }
}

// A store whose writer never confirms: durable() gives up at its deadline
// with a clear error instead of hanging, and the blocking reply says so.
namespace {

struct stalled_store final : a2a::task_store {
  std::unique_ptr<a2a::task_store> inner;
  explicit stalled_store(std::unique_ptr<a2a::task_store> s) : inner(std::move(s)) {}
  result<void> insert(const a2a::task& t, std::string_view owner) override { return inner->insert(t, owner); }
  result<std::optional<a2a::stored_task>> get(std::string_view id, std::optional<std::size_t> h,
                                              bool artifacts) override {
    return inner->get(id, h, artifacts);
  }
  result<void> set_status(std::string_view id, const a2a::task_status& s) override {
    return inner->set_status(id, s);
  }
  result<void> add_message(std::string_view id, const a2a::message& m, std::size_t keep) override {
    return inner->add_message(id, m, keep);
  }
  result<void> put_artifact(std::string_view id, const a2a::artifact& a) override {
    return inner->put_artifact(id, a);
  }
  result<a2a::task_page> list(const a2a::task_query& q) override { return inner->list(q); }
  result<std::size_t> count(std::string_view owner) override { return inner->count(owner); }
  result<std::optional<std::string>> oldest_finished(std::string_view owner) override {
    return inner->oldest_finished(owner);
  }
  result<void> erase(std::string_view id) override { return inner->erase(id); }
  // Every task waits for batch 1, which never finishes.
  std::uint64_t commit_ticket(std::string_view) override { return 1; }
  std::optional<result<void>> commit_outcome(std::uint64_t) const override { return std::nullopt; }
};

}  // namespace

TEST(a2a_durability, a_stalled_writer_gives_an_error_within_the_deadline) {
  asio::io_context ctx;
  auto inner = a2a::sqlite_task_store::open(":memory:");
  ASSERT_TRUE(inner);
  a2a::manager_config cfg;
  cfg.commit_timeout = std::chrono::milliseconds(200);
  auto mgr = a2a::task_manager::open(ctx.get_executor(), std::make_unique<stalled_store>(std::move(*inner)),
                                     std::make_shared<a2a::tool_executor>(std::make_shared<test_tools>()), cfg);
  ASSERT_TRUE(mgr);
  a2a::dispatcher rpc{*mgr, a2a::card_config{}};
  auto out = test::run<std::vector<json::value>>(ctx, [&](executor) -> awaitable<std::vector<json::value>> {
    vector_sink sink;
    (void)co_await rpc.handle(send_line("SendMessage", "echo", 1, false, 1), a2a::request_context(), sink);
    co_return std::move(sink.out);
  });
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].as_object().contains("error")) << json::serialize(out[0]);
  std::string message(out[0].at("error").at("message").as_string());
  EXPECT_NE(message.find("did not confirm saving"), std::string::npos) << message;
  test::run_void(ctx, [&](executor) -> awaitable<void> { co_await (*mgr)->close(); });
}
