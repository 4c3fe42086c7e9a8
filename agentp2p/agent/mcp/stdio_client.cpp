#include "agentp2p/agent/mcp/stdio_client.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "agentp2p/agent/wire/json_lines.hpp"
#include "agentp2p/base/deadline.hpp"
#include "agentp2p/base/deadline_queue.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/base/task_group.hpp"
#include "agentp2p/core/byte_stream.hpp"

extern char** environ;

namespace agentp2p::mcp {

namespace json = boost::json;

std::string stdio_child_info::describe() const {
  if (!exited) return "running";
  if (WIFEXITED(exit_status)) return "exited with status " + std::to_string(WEXITSTATUS(exit_status));
  if (WIFSIGNALED(exit_status)) return "killed by signal " + std::to_string(WTERMSIG(exit_status));
  return "ended";
}

namespace {

// Writing to a child that died must be an EPIPE error, not a process-wide SIGPIPE.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

// The child and what outlives the transport object while coroutines finish.
struct child_state {
  child_state(executor ex, int out_fd, int in_fd, int err_fd, std::string n)
      : stdout_pipe(ex, out_fd), stdin_pipe(ex, in_fd), stderr_pipe(ex, err_fd), name(std::move(n)) {}
  asio::posix::stream_descriptor stdout_pipe;  // we read the child's stdout
  asio::posix::stream_descriptor stdin_pipe;   // we write the child's stdin
  asio::posix::stream_descriptor stderr_pipe;
  std::shared_ptr<stdio_child_info> info = std::make_shared<stdio_child_info>();
  std::string name;
  bool reaped = false;

  // Collects the exit status if the child is gone (never blocks).
  bool try_reap() {
    if (reaped) return true;
    int status = 0;
    pid_t r = ::waitpid(info->pid, &status, WNOHANG);
    if (r == info->pid || (r < 0 && errno == ECHILD)) {
      reaped = true;
      info->exited = true;
      info->exit_status = status;
    }
    return reaped;
  }
  void kill_group(int sig) const {
    if (info->pid > 0) ::kill(-info->pid, sig);
  }
  ~child_state() {
    // Whatever happened, no child outlives us and no zombie is left.
    if (!reaped && info->pid > 0) {
      kill_group(SIGKILL);
      int status = 0;
      ::waitpid(info->pid, &status, 0);
      reaped = true;
    } else {
      kill_group(SIGKILL);  // stragglers of the group (ESRCH when none)
    }
  }
};

// The child's stdout and stdin as one byte stream for the JSON line reader.
class child_stream final : public core::byte_stream {
 public:
  explicit child_stream(std::shared_ptr<child_state> c) : child_(std::move(c)) {}
  executor get_executor() const override { return child_->stdout_pipe.get_executor(); }

  awaitable<result<std::size_t>> read_some(mutable_byte_span buf) override {
    auto c = child_;
    if (!c->stdout_pipe.is_open()) co_return make_error(errc::closed, "stdout closed");
    auto [ec, n] =
        co_await c->stdout_pipe.async_read_some(asio::buffer(buf.data(), buf.size()), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::eof) co_return make_error(errc::end_of_stream, "the server closed its stdout");
    if (ec) co_return from_system(ec, "reading the server's stdout");
    co_return n;
  }
  awaitable<result<void>> write(byte_span data) override {
    auto c = child_;
    if (!c->stdin_pipe.is_open()) co_return make_error(errc::closed, "stdin closed");
    auto [ec, n] = co_await asio::async_write(c->stdin_pipe, asio::buffer(data.data(), data.size()),
                                              asio::as_tuple(asio::use_awaitable));
    if (ec) co_return from_system(ec, "writing the server's stdin");
    co_return ok();
  }
  awaitable<result<void>> close_write() override {
    boost::system::error_code ec;
    if (child_->stdin_pipe.is_open()) child_->stdin_pipe.close(ec);
    co_return ok();
  }
  void reset() override {
    boost::system::error_code ec;
    if (child_->stdin_pipe.is_open()) child_->stdin_pipe.close(ec);
    if (child_->stdout_pipe.is_open()) child_->stdout_pipe.close(ec);
  }

 private:
  std::shared_ptr<child_state> child_;
};

std::string cut(std::string s, std::size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  for (auto& ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\t') ch = ' ';
  return s;
}

// stderr → our log, line by line (bounded).
awaitable<void> pump_stderr(std::shared_ptr<child_state> c, std::size_t max_line) {
  std::string pending;
  std::array<char, 4096> buf{};
  for (;;) {
    auto [ec, n] = co_await c->stderr_pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    pending.append(buf.data(), n);
    std::size_t start = 0;
    for (;;) {
      auto nl = pending.find('\n', start);
      if (nl == std::string::npos) break;
      auto line = pending.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) log::info("[mcp " + c->name + "] " + cut(std::move(line), max_line));
      start = nl + 1;
    }
    pending.erase(0, start);
    if (pending.size() > max_line) {
      log::info("[mcp " + c->name + "] " + cut(std::move(pending), max_line));
      pending.clear();
    }
  }
  if (!pending.empty()) log::info("[mcp " + c->name + "] " + cut(std::move(pending), max_line));
}

class stdio_transport final : public transport {
 public:
  stdio_transport(std::shared_ptr<child_state> c, const stdio_server_params& p)
      : child_(std::move(c)),
        stream_(std::make_shared<child_stream>(child_)),
        reader_(*stream_, p.line.max_line),
        params_(p),
        tasks_(stream_->get_executor()),
        write_limit_(deadline_queue::create(stream_->get_executor(), deadline_queue::when_idle::keep_timer), *stream_) {
    tasks_.spawn(pump_stderr(child_, p.max_stderr_line), "mcp " + p.name + " stderr");
  }
  ~stdio_transport() override { tasks_.cancel(); }

  executor get_executor() const override { return stream_->get_executor(); }

  awaitable<result<json::value>> receive() override {
    for (;;) {
      auto m = co_await reader_.read();
      if (m) co_return m;
      const auto& e = m.error();
      if (e.is(errc::decode_error) || e.is(errc::too_large)) {
        // Not a JSON-RPC message: a server printing to stdout by mistake.
        auto& info = *child_->info;
        ++info.garbage_lines;
        info.last_garbage = cut(e.message, 200);
        if (info.garbage_lines <= 10 || info.garbage_lines % 1000 == 0)
          log::warn("mcp " + params_.name + ": skipping a line on stdout that is not JSON-RPC (" + info.last_garbage +
                    ")");
        continue;
      }
      if (e.is(errc::end_of_stream)) {
        // Its stdout ended: usually it exited. Collect the status if it did.
        for (int i = 0; i < 20 && !child_->try_reap(); ++i) co_await sleep_for(get_executor(), std::chrono::milliseconds(10));
        log::warn("mcp " + params_.name + ": the server process " + std::to_string(child_->info->pid) + " " +
                  child_->info->describe());
      }
      co_return std::move(m).error();
    }
  }

  // Bounded like line_transport's writes: a server that stops reading its
  // stdin has its pipe reset when the limit passes.
  awaitable<result<void>> send(const json::value& message, const json::value&) override {
    return within(write_limit_, params_.line.write_timeout, "writing to the MCP server's stdin",
                  agent::write_json_line(*stream_, message));
  }

  awaitable<void> close() override {
    auto c = child_;
    auto ex = get_executor();
    (void)co_await stream_->close_write();  // a well-behaved server exits on EOF
    const auto step = std::chrono::milliseconds(20);
    const auto grace_steps = std::max<long>(1, params_.stop_grace / step);
    for (long i = 0; i < grace_steps && !c->try_reap(); ++i) co_await sleep_for(ex, step);
    if (!c->try_reap()) {
      c->kill_group(SIGTERM);
      for (int i = 0; i < 50 && !c->try_reap(); ++i) co_await sleep_for(ex, step);
    }
    if (!c->try_reap()) log::warn("mcp " + params_.name + ": the server ignored SIGTERM; killing it");
    c->kill_group(SIGKILL);
    for (int i = 0; i < 50 && !c->try_reap(); ++i) co_await sleep_for(ex, step);
    stream_->reset();
    boost::system::error_code ec;
    c->stderr_pipe.close(ec);
    co_await tasks_.join();
  }

 private:
  std::shared_ptr<child_state> child_;
  std::shared_ptr<child_stream> stream_;
  agent::json_line_reader reader_;
  stdio_server_params params_;
  task_group tasks_;
  resetting_deadline<child_stream> write_limit_;
};

struct fd_pair {
  int r = -1, w = -1;
  ~fd_pair() {
    if (r >= 0) ::close(r);
    if (w >= 0) ::close(w);
  }
  int take_r() { return std::exchange(r, -1); }
  int take_w() { return std::exchange(w, -1); }
};

bool make_pipe(fd_pair& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  p.r = fds[0];
  p.w = fds[1];
  return true;
}

}  // namespace

result<stdio_transport_handle> spawn_stdio_server(executor ex, stdio_server_params params) {
  if (params.command.empty()) return make_error(errc::invalid_argument, "mcp " + params.name + ": no command given");
  if (!params.cwd.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(params.cwd, ec))
      return make_error(errc::not_found, "mcp " + params.name + ": working directory " + params.cwd + " does not exist");
  }
  ignore_sigpipe_once();
  fd_pair in, out, err;
  if (!make_pipe(in) || !make_pipe(out) || !make_pipe(err))
    return make_error(errc::io_error, "mcp " + params.name + ": pipe: " + std::strerror(errno));

  // argv and envp (ours, with the configured variables added or replaced).
  std::vector<std::string> argv_s;
  argv_s.push_back(params.command);
  for (const auto& a : params.args) argv_s.push_back(a);
  std::vector<std::string> env_s;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && params.env.contains(std::string(kv.substr(0, eq)))) continue;
    env_s.emplace_back(kv);
  }
  for (const auto& [k, v] : params.env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.r, 0);
  posix_spawn_file_actions_adddup2(&fa, out.w, 1);
  posix_spawn_file_actions_adddup2(&fa, err.w, 2);
  if (!params.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, params.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (stop kills the whole group: npx and shells spawn
  // children), default signal dispositions (we ignore SIGPIPE), no blocked signals.
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, params.command.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc == ENOENT) return make_error(errc::not_found, "mcp " + params.name + ": command not found: " + params.command);
  if (rc != 0)
    return make_error(errc::io_error, "mcp " + params.name + ": cannot start " + params.command + ": " + std::strerror(rc));

  auto child = std::make_shared<child_state>(ex, out.take_r(), in.take_w(), err.take_r(), params.name);
  child->info->pid = pid;
  log::info("mcp " + params.name + ": started " + params.command + " (pid " + std::to_string(pid) + ")");
  stdio_transport_handle h;
  h.child = child->info;
  h.transport = std::make_unique<stdio_transport>(std::move(child), params);
  return h;
}

}  // namespace agentp2p::mcp
