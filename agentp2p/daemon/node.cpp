#include "agentp2p/daemon/node.hpp"

#include <cstdlib>

#include "agentp2p/agent/a2a/sqlite_task_store.hpp"
#include "agentp2p/agent/a2a/tool_executor.hpp"
#include "agentp2p/daemon/mcp_resources.hpp"
#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/identity_file.hpp"
#include "agentp2p/daemon/builtin_tools.hpp"

namespace agentp2p::daemon {

namespace {

// A2A's default executor runs tools through the agent's registry: locally,
// or on the named peer over /praxis/tool/1.0.0.
class registry_tool_invoker final : public a2a::tool_invoker {
 public:
  explicit registry_tool_invoker(praxis::agent_services& agent) : agent_(agent) {}
  awaitable<result<boost::json::value>> invoke(a2a::request_context caller, std::optional<crypto::peer_id> peer,
                                               std::string tool, boost::json::object arguments) override {
    if (peer) co_return co_await agent_.remote().call(*peer, std::move(tool), std::move(arguments));
    // The caller's tool policy and per-peer limits apply (empty = local).
    tools::call_options opts;
    opts.caller = a2a::owner_of(caller);
    co_return co_await agent_.tools().call(std::move(tool), std::move(arguments), std::move(opts));
  }

 private:
  praxis::agent_services& agent_;
};

// The task store, telling `observer` of each status it stores.
class observed_task_store final : public a2a::task_store {
 public:
  using observer = std::function<void(std::string_view, const a2a::task_status&)>;
  observed_task_store(std::unique_ptr<a2a::task_store> inner, observer o) : inner_(std::move(inner)), observer_(std::move(o)) {}
  result<void> insert(const a2a::task& t, std::string_view owner) override {
    auto r = inner_->insert(t, owner);
    if (r) observer_(t.id, t.status);
    return r;
  }
  result<std::optional<a2a::stored_task>> get(std::string_view id, std::optional<std::size_t> history_length,
                                              bool include_artifacts) override {
    return inner_->get(id, history_length, include_artifacts);
  }
  result<void> set_status(std::string_view id, const a2a::task_status& s) override {
    auto r = inner_->set_status(id, s);
    if (r) observer_(id, s);
    return r;
  }
  result<void> add_message(std::string_view id, const a2a::message& m, std::size_t keep_last) override {
    return inner_->add_message(id, m, keep_last);
  }
  result<void> put_artifact(std::string_view id, const a2a::artifact& a) override { return inner_->put_artifact(id, a); }
  result<a2a::task_page> list(const a2a::task_query& q) override { return inner_->list(q); }
  result<std::size_t> count(std::string_view owner) override { return inner_->count(owner); }
  result<std::optional<std::string>> oldest_finished(std::string_view owner) override {
    return inner_->oldest_finished(owner);
  }
  result<void> erase(std::string_view id) override { return inner_->erase(id); }
  result<void> flush() override { return inner_->flush(); }

 private:
  std::unique_ptr<a2a::task_store> inner_;
  observer observer_;
};

awaitable<result<boost::json::value>> execute_on(std::weak_ptr<mcp::server> weak, std::string method,
                                                boost::json::value params) {
  auto srv = weak.lock();
  if (!srv) co_return make_error(errc::closed, "the MCP server is gone");
  co_return co_await srv->execute(std::move(method), std::move(params));
}

}  // namespace

std::filesystem::path default_data_dir() {
  if (const char* d = std::getenv("AGENTP2P_DATA_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::filesystem::path(x) / "agentp2p";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".local/share/agentp2p";
  return std::filesystem::current_path() / ".agentp2p";
}

result<std::unique_ptr<node>> node::start(executor ex, const node_options& opts) {
  std::error_code ec;
  // Task history may hold whatever agents sent us: a new data directory is private.
  if (std::filesystem::create_directories(opts.data_dir, ec))
    std::filesystem::permissions(opts.data_dir, std::filesystem::perms::owner_all, ec);
  if (ec) return make_error(errc::io_error, "cannot create data directory " + opts.data_dir.string() + ": " + ec.message());
  AP_TRY(auto key, crypto::load_or_create_identity(opts.identity_file));
  std::unique_ptr<node> n(new node());
  host::config cfg;
  cfg.agent_version = opts.agent_version;
  cfg.max_connections = opts.max_connections;
  cfg.max_connections_per_peer = opts.max_connections_per_peer;
  n->host_ = host::builder{}.identity(std::move(key)).settings(cfg).build(ex);
  n->identify_ = identify::service::start(n->host_);
  n->ping_ = ping::service::start(n->host_);
  if (opts.enable_perf) n->perf_ = perf::service::start(n->host_);

  praxis::config agent_cfg;
  agent_cfg.card.name = opts.name;
  agent_cfg.card.version = opts.version;
  agent_cfg.card.capabilities = opts.capabilities;
  n->agent_ = praxis::agent_services::start(n->host_, n->identify_, agent_cfg);
  register_builtin_tools(*n->agent_, n->host_);

  auto store = a2a::sqlite_task_store::open((opts.data_dir / "tasks.db").string());
  if (!store) {
    auto e = std::move(store).error();
    e.message = "task store " + (opts.data_dir / "tasks.db").string() + ": " + e.message;
    return e;
  }
  std::unique_ptr<a2a::task_store> task_store = std::move(*store);
  if (opts.on_task_status)
    task_store = std::make_unique<observed_task_store>(std::move(task_store), opts.on_task_status);
  auto invoker = std::make_shared<registry_tool_invoker>(*n->agent_);
  AP_TRY(auto tasks, a2a::task_manager::open(ex, std::move(task_store), std::make_shared<a2a::tool_executor>(invoker)));
  n->tasks_ = std::move(tasks);
  a2a::card_config card;
  card.name = opts.name;
  card.description = opts.description;
  card.version = opts.version;
  n->a2a_rpc_ = std::make_shared<a2a::dispatcher>(n->tasks_, card);
  n->a2a_ = a2a::service::start(n->host_, n->a2a_rpc_);

  mcp::server_config mcp_cfg;
  mcp_cfg.info.name = opts.name;
  mcp_cfg.info.version = opts.version;
  mcp_cfg.instructions = opts.description;
  n->mcp_ = mcp::server::create(mcp_cfg, n->agent_->shared_tools());
  AP_TRYV(add_card_resources(*n->mcp_, *n->agent_, n->host_->get_executor()));
  mcp::serve_libp2p(*n->host_, n->mcp_);
  // praxis's mcp.execute reaches the same server for resources, prompts, ...
  std::weak_ptr<mcp::server> weak_mcp = n->mcp_;
  n->agent_->set_mcp_executor([weak_mcp](std::string method, boost::json::value params) {
    return execute_on(weak_mcp, std::move(method), std::move(params));
  });

  for (const auto& text : opts.listen) {
    AP_TRY(auto addr, multiformats::multiaddr::parse(text));
    auto bound = n->host_->listen(addr);
    if (!bound) {
      if (text.starts_with("/ip6/::/")) {
        log::warn("IPv6 unavailable, not listening on " + text + ": " + bound.error().what());
        continue;
      }
      auto e = std::move(bound).error();
      e.message = "cannot listen on " + text + ": " + e.message;
      return e;
    }
  }
  if (opts.dht.enabled) {
    kad::config dht_cfg;
    dht_cfg.mode = opts.dht.mode;
    dht_cfg.protocol_prefix = opts.dht.protocol_prefix;
    // Started after listening, so automatic mode sees the listen addresses.
    n->dht_ = kad::service::start(n->host_, dht_cfg);
    std::weak_ptr<kad::service> weak = n->dht_;
    n->identify_->on_identified([weak](const identify::peer_info& p) {
      if (auto d = weak.lock()) d->peer_identified(p.peer);
    });
    n->search_ = discovery::capability_search::start(n->host_, n->dht_, *n->agent_);
  }
  if (opts.mcp_bridge)
    n->bridge_ = mcp_bridge::peer_bridge::start(n->mcp_, n->host_, *n->agent_, n->search_, opts.bridge);
  if (!opts.mcp_servers.empty()) {
    AP_TRY(auto ext, mcp::external_servers::start(ex, n->agent_->shared_tools(), opts.mcp_servers));
    n->external_ = std::move(ext);
  }
  return n;
}

node::~node() {
  if (bridge_) bridge_->stop();
  if (host_ && mcp_) mcp::stop_serving_libp2p(*host_);
  if (search_) search_->stop();
  if (dht_) dht_->stop();
  if (agent_) agent_->stop();
}

awaitable<void> node::close() {
  // External servers first: their tools leave the registry, their processes stop.
  if (external_) co_await external_->close();
  if (bridge_) bridge_->stop();
  if (search_) search_->stop();
  if (dht_) dht_->stop();
  a2a_.reset();
  if (mcp_) mcp::stop_serving_libp2p(*host_);
  if (tasks_) co_await tasks_->close();
  if (agent_) agent_->stop();
  co_await host_->close();
}

}  // namespace agentp2p::daemon
