#include "agentp2p/daemon/cli.hpp"

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/crypto/identity_file.hpp"
#include "agentp2p/daemon/node.hpp"

namespace agentp2p::daemon {

namespace {

// Exit codes: 0 ok, 1 runtime failure (network, peer), 2 usage or config error.
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int run_command(node_options opts) {
  asio::io_context ctx(1);
  auto started = node::start(ctx.get_executor(), opts);
  if (!started) {
    std::cerr << "agentp2p: " << started.error().message << "\n";
    return exit_failure;
  }
  auto n = std::move(*started);
  auto& h = n->host();
  boost::json::array addrs;
  for (const auto& a : h.listen_addresses()) addrs.emplace_back(a.to_string() + "/p2p/" + h.id().to_string());
  boost::json::array tools;
  for (const auto& t : n->agent().tools().list()) tools.emplace_back(t.name);
  boost::json::object ready{{"event", "ready"},
                            {"peerId", h.id().to_string()},
                            {"name", opts.name},
                            {"listenAddrs", std::move(addrs)},
                            {"protocols", boost::json::value_from(h.protocols())},
                            {"tools", std::move(tools)},
                            {"agentVersion", opts.agent_version},
                            {"dataDir", opts.data_dir.string()}};
  std::cout << boost::json::serialize(ready) << std::endl;

  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    log::info("shutting down");
    asio::co_spawn(ctx, n->close(), [&](std::exception_ptr) { ctx.stop(); });
  });
  ctx.run();
  return 0;
}

int ping_command(const std::string& target, int count) {
  auto addr = multiformats::multiaddr::parse(target);
  if (!addr || !addr->has(multiformats::protocol_code::p2p)) {
    std::cerr << "agentp2p ping: need a multiaddr ending in /p2p/<peer id>"
              << (addr ? "" : " (" + addr.error().message + ")") << "\n";
    return exit_usage;
  }
  asio::io_context ctx(1);
  auto h = host::builder{}.build(ctx.get_executor());
  auto p = ping::service::start(h);
  int rc = exit_failure;
  asio::co_spawn(ctx, [&]() -> awaitable<void> {
    auto conn = co_await h->connect(*addr);
    if (!conn) {
      std::cerr << "agentp2p ping: " << conn.error().message << "\n";
    } else {
      auto rtts = co_await p->ping(*conn, static_cast<std::size_t>(count));
      if (!rtts) {
        std::cerr << "agentp2p ping: " << rtts.error().message << "\n";
      } else {
        for (auto r : *rtts) std::cout << "pong from " << (*conn)->remote_peer().to_string() << ": " << r.count() / 1000.0 << " ms\n";
        rc = 0;
      }
    }
    co_await h->close();
  }, [&](std::exception_ptr) { ctx.stop(); });
  ctx.run_for(std::chrono::seconds(60));
  return rc;
}

}  // namespace

int cli_main(int argc, char** argv) {
  CLI::App app{"agentp2p: peer-to-peer networking for AI agents"};
  app.require_subcommand(1);
  std::string log_level = env_or("AGENTP2P_LOG_LEVEL", "warn");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off (env AGENTP2P_LOG_LEVEL)");

  auto data_dir = default_data_dir().string();
  node_options run_opts;
  std::string identity;
  std::string listen_env = env_or("AGENTP2P_LISTEN", "");
  std::vector<std::string> listen = listen_env.empty() ? run_opts.listen : split_list(listen_env);
  auto* run = app.add_subcommand("run", "Run a node until interrupted; prints a JSON ready line on stdout");
  run->add_option("--listen", listen, "Multiaddr to listen on, repeatable (env AGENTP2P_LISTEN, comma-separated)");
  run->add_option("--identity", identity, "Identity key file (default: DATA_DIR/identity.key; env AGENTP2P_IDENTITY)");
  run->add_option("--data-dir", data_dir, "Data directory (env AGENTP2P_DATA_DIR)");
  run->add_option("--name", run_opts.name, "Agent name on its cards (env AGENTP2P_NAME)");
  run->add_option("--agent-version", run_opts.agent_version, "Agent version announced by identify");
  std::string dht_enabled = "on", dht_mode = "auto";
  run->add_option("--dht", dht_enabled, "Run the Kademlia DHT and capability search: on|off (YAML dht.enabled)")
      ->check(CLI::IsMember({"on", "off"}));
  run->add_option("--dht-mode", dht_mode, "auto (server when listening beyond loopback) | client | server (dht.mode)")
      ->check(CLI::IsMember({"auto", "client", "server"}));
  run->add_option("--dht-protocol-prefix", run_opts.dht.protocol_prefix,
                  "DHT protocol prefix, /ipfs → /ipfs/kad/1.0.0 (dht.protocol_prefix)");

  auto* id = app.add_subcommand("id", "Print the peer id of the identity file");
  id->add_option("--identity", identity, "Identity key file (default: DATA_DIR/identity.key)");
  id->add_option("--data-dir", data_dir, "Data directory");

  std::string keygen_out, keygen_type = "ed25519";
  auto* keygen = app.add_subcommand("keygen", "Create a new identity key file");
  keygen->add_option("--out", keygen_out, "Where to write the key (must not exist)")->required();
  keygen->add_option("--type", keygen_type, "ed25519 (default), secp256k1, ecdsa or rsa")
      ->check(CLI::IsMember({"ed25519", "secp256k1", "ecdsa", "rsa"}));

  std::string ping_target;
  int ping_count = 4;
  auto* ping = app.add_subcommand("ping", "Connect to a peer and measure round trips");
  ping->add_option("multiaddr", ping_target, "Peer address ending in /p2p/<peer id>")->required();
  ping->add_option("-n,--count", ping_count, "Number of pings")->check(CLI::Range(1, 10000));

  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  log::level lvl;
  if (!log::parse_level(log_level, lvl)) {
    std::cerr << "agentp2p: unknown log level '" << log_level << "'\n";
    return exit_usage;
  }
  log::set_level(lvl);
  if (identity.empty()) identity = env_or("AGENTP2P_IDENTITY", "");
  const std::filesystem::path identity_path =
      identity.empty() ? std::filesystem::path(data_dir) / "identity.key" : std::filesystem::path(identity);

  if (*version) {
    std::cout << "agentp2p 0.1.0\n";
    return 0;
  }
  if (*run) {
    run_opts.identity_file = identity_path;
    run_opts.data_dir = data_dir;
    if (run->count("--name") == 0) run_opts.name = env_or("AGENTP2P_NAME", run_opts.name);
    run_opts.listen = listen;
    run_opts.dht.enabled = dht_enabled == "on";
    run_opts.dht.mode = kad::parse_mode(dht_mode).value();
    return run_command(run_opts);
  }
  if (*id) {
    auto key = crypto::load_identity(identity_path);
    if (!key) {
      std::cerr << "agentp2p: " << key.error().message << "\n";
      return exit_failure;
    }
    std::cout << crypto::peer_id::from_public_key(key->public_key()).to_string() << "\n";
    return 0;
  }
  if (*keygen) {
    if (std::filesystem::exists(keygen_out)) {
      std::cerr << "agentp2p keygen: " << keygen_out << " already exists; not overwriting\n";
      return exit_usage;
    }
    result<crypto::private_key> key = keygen_type == "secp256k1" ? crypto::private_key::generate_secp256k1()
                                      : keygen_type == "ecdsa"   ? crypto::private_key::generate_ecdsa_p256()
                                      : keygen_type == "rsa"     ? crypto::private_key::generate_rsa(2048)
                                                                 : crypto::private_key::generate_ed25519();
    if (!key) {
      std::cerr << "agentp2p keygen: " << key.error().message << "\n";
      return exit_failure;
    }
    if (auto saved = crypto::save_identity(keygen_out, *key); !saved) {
      std::cerr << "agentp2p keygen: " << saved.error().message << "\n";
      return exit_failure;
    }
    std::cout << crypto::peer_id::from_public_key(key->public_key()).to_string() << "\n";
    return 0;
  }
  if (*ping) return ping_command(ping_target, ping_count);
  return exit_usage;
}

}  // namespace agentp2p::daemon
