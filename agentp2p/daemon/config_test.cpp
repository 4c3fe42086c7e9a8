#include "agentp2p/daemon/config.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "agentp2p/crypto/keys.hpp"
#include "agentp2p/crypto/peer_id.hpp"

namespace agentp2p::daemon {
namespace {

std::string some_peer_id() {
  auto key = crypto::private_key::generate_ed25519();
  return crypto::peer_id::from_public_key(key.public_key()).to_string();
}

env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Applies `yaml` on top of the defaults; the error message on failure.
std::string load_error(std::string_view yaml) {
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, yaml, "test.yaml");
  return r ? "" : r.error().message;
}

TEST(Config, DefaultsAreTheDocumentedOnes) {
  auto cfg = default_config();
  EXPECT_EQ(cfg.agent.name, "agentp2p-agent");
  EXPECT_EQ(cfg.listen, (std::vector<std::string>{"/ip4/0.0.0.0/tcp/0", "/ip6/::/tcp/0"}));
  EXPECT_TRUE(cfg.mdns.enabled);
  EXPECT_EQ(cfg.mdns.interfaces, std::vector<std::string>{"lo"});  // no multicast on the network unless asked
  EXPECT_EQ(cfg.http.address, "127.0.0.1:7420");
  EXPECT_TRUE(cfg.http.token.empty());
  EXPECT_EQ(cfg.dht.mode, "auto");
  EXPECT_EQ(cfg.connections.grace_period, std::chrono::seconds(20));
  EXPECT_EQ(cfg.logging.level, "info");
  EXPECT_TRUE(cfg.mcp_servers.empty());
  EXPECT_TRUE(validate(cfg));
}

TEST(Config, EmbeddedDefaultYamlLoadsToTheDefaults) {
  config cfg;  // zero values, not the defaults
  auto r = apply_yaml_text(cfg, default_config_yaml(), "defaults");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(to_yaml(cfg), to_yaml(default_config()));
}

TEST(Config, ExampleFileLoadsToTheDefaults) {
  config cfg;
  auto r = apply_yaml_text(cfg, example_config_yaml(), "example");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(to_yaml(cfg), to_yaml(default_config()));
}

TEST(Config, ReadsEverySection) {
  auto peer = some_peer_id();
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, R"(
agent:
  name: indexer
  version: 2.0.0
  description: Indexes documents
  capabilities: [search, tools]
identity:
  file: /var/lib/agentp2p/key
data_dir: /var/lib/agentp2p
listen:
  - /ip4/127.0.0.1/tcp/4001
mdns:
  enabled: false
  interfaces: [eth0, wlan0]
  service_names: [_p2p._udp]
dht:
  enabled: true
  mode: server
  protocol_prefix: /agentp2p
bootstrap: [/ip4/127.0.0.1/tcp/4002/p2p/)" + peer + R"(]
connections:
  low: 10
  high: 20
  max: 100
  max_per_peer: 2
  grace_period: 1m
mcp_servers:
  - name: files
    command: npx
    args: [-y, server-filesystem, /tmp]
    env: {NODE_ENV: production}
    cwd: /tmp
    expose: all
  - name: search
    url: https://mcp.example.com/mcp
    headers:
      Authorization: Bearer abc
    expose: [)" + peer + R"(]
http:
  address: 127.0.0.1:0
  token: secret
  allowed_origins: [http://localhost:3000]
logging:
  level: debug
  json: true
perf:
  enabled: yes
)",
                           "full.yaml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(cfg.agent.name, "indexer");
  EXPECT_EQ(cfg.agent.capabilities, (std::vector<std::string>{"search", "tools"}));
  EXPECT_EQ(cfg.identity.file, "/var/lib/agentp2p/key");
  EXPECT_EQ(cfg.listen, std::vector<std::string>{"/ip4/127.0.0.1/tcp/4001"});
  EXPECT_FALSE(cfg.mdns.enabled);
  EXPECT_EQ(cfg.mdns.interfaces, (std::vector<std::string>{"eth0", "wlan0"}));
  EXPECT_EQ(cfg.dht.mode, "server");
  EXPECT_EQ(cfg.dht.protocol_prefix, "/agentp2p");
  ASSERT_EQ(cfg.bootstrap.size(), 1u);
  EXPECT_EQ(cfg.connections.high, 20);
  EXPECT_EQ(cfg.connections.grace_period, std::chrono::minutes(1));
  ASSERT_EQ(cfg.mcp_servers.size(), 2u);
  EXPECT_EQ(cfg.mcp_servers[0].command, "npx");
  EXPECT_EQ(cfg.mcp_servers[0].args.size(), 3u);
  EXPECT_EQ(cfg.mcp_servers[0].env.at("NODE_ENV"), "production");
  EXPECT_EQ(cfg.mcp_servers[0].expose, "all");
  EXPECT_EQ(cfg.mcp_servers[1].url, "https://mcp.example.com/mcp");
  EXPECT_EQ(cfg.mcp_servers[1].headers.at("Authorization"), "Bearer abc");
  EXPECT_EQ(cfg.mcp_servers[1].expose, "peers");
  EXPECT_EQ(cfg.mcp_servers[1].expose_peers, std::vector<std::string>{peer});
  EXPECT_EQ(cfg.http.address, "127.0.0.1:0");
  EXPECT_EQ(cfg.http.token, "secret");
  EXPECT_EQ(cfg.logging.level, "debug");
  EXPECT_TRUE(cfg.logging.json);
  EXPECT_TRUE(cfg.perf.enabled);
  EXPECT_TRUE(validate(cfg));
  EXPECT_EQ(to_yaml(cfg).find("secret"), std::string::npos) << "the token is masked";
}

TEST(Config, ServersAsAMapKeyedByNameAndCommandAsAList) {
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, "mcp_servers:\n  files:\n    command: [npx, -y, pkg]\n    args: [/srv]\n", "m.yaml");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(cfg.mcp_servers.size(), 1u);
  EXPECT_EQ(cfg.mcp_servers[0].name, "files");
  EXPECT_EQ(cfg.mcp_servers[0].command, "npx");
  EXPECT_EQ(cfg.mcp_servers[0].args, (std::vector<std::string>{"-y", "pkg", "/srv"}));
  EXPECT_EQ(cfg.mcp_servers[0].expose, "none") << "tools of external servers stay local unless exposed";
}

TEST(Config, ErrorsNameTheFileLineAndKey) {
  EXPECT_EQ(load_error("agent:\n  name: x\nconnections:\n  low: many\n"),
            "test.yaml:4: connections.low: expected an integer, got 'many'");
  EXPECT_EQ(load_error("agent:\n  nmae: x\n").substr(0, 32), "test.yaml:2: agent.nmae: unknown");
  EXPECT_NE(load_error("agent:\n  nmae: x\n").find("known here: name, version"), std::string::npos);
  EXPECT_NE(load_error("listen: [/ip4/1.2.3.4/udp/5]\n").find("test.yaml:1: listen: '/ip4/1.2.3.4/udp/5' has no /tcp"),
            std::string::npos);
  EXPECT_NE(load_error("\n\nbootstrap: [/ip4/127.0.0.1/tcp/1]\n").find("test.yaml:3: bootstrap:"), std::string::npos);
  EXPECT_NE(load_error("dht:\n  mode: sometimes\n").find("expected one of auto, client, server"), std::string::npos);
  EXPECT_NE(load_error("http:\n  address: 127.0.0.1\n").find("test.yaml:2: http.address:"), std::string::npos);
  EXPECT_NE(load_error("mdns:\n  enabled: maybe\n").find("expected true or false"), std::string::npos);
  EXPECT_NE(load_error("connections:\n  max_per_peer: 1000\n").find("between 1 and 64"), std::string::npos);
  EXPECT_NE(load_error("connections:\n  grace_period: soon\n").find("duration"), std::string::npos);
  EXPECT_NE(load_error("agent: [a, b]\n").find("test.yaml:1: agent: expected a section"), std::string::npos);
  EXPECT_NE(load_error("- a\n- b\n").find("mapping of settings"), std::string::npos);
  auto syntax = load_error("agent:\n  name: [unclosed\n");
  EXPECT_EQ(syntax.rfind("test.yaml:", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("YAML syntax error"), std::string::npos);
}

TEST(Config, ServerErrors) {
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n    command: x\n    url: http://h\n").find("not both"),
            std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n").find("test.yaml:2: mcp_servers[0]: MCP server 'a': set either"),
            std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: 'a b'\n    command: x\n").find("letters, digits"), std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n    url: ftp://x\n").find("http:// or https://"), std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n    command: x\n    expose: [not-a-peer]\n").find("not a peer id"),
            std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n    command: x\n  - name: a\n    command: y\n").find("two servers"),
            std::string::npos);
  EXPECT_NE(load_error("mcp_servers:\n  - name: a\n    command: x\n    timeout: 5\n").find("mcp_servers[0].timeout"),
            std::string::npos);
}

TEST(Config, ExpandsEnvironmentVariables) {
  auto env = fake_env({{"HOME_DIR", "/home/a"}, {"EMPTY", ""}});
  std::vector<std::string> unset;
  EXPECT_EQ(expand_env("${HOME_DIR}/x", env, &unset), "/home/a/x");
  EXPECT_EQ(expand_env("${MISSING:-fallback}", env, &unset), "fallback");
  EXPECT_EQ(expand_env("${EMPTY:-fallback}", env, &unset), "fallback");
  EXPECT_EQ(expand_env("a${MISSING}b", env, &unset), "ab");
  EXPECT_EQ(unset, std::vector<std::string>{"MISSING"});
  EXPECT_EQ(expand_env("$HOME_DIR ${not valid} ${", env, nullptr), "$HOME_DIR ${not valid} ${");

  ::setenv("AGENTP2P_TEST_NAME", "from-env", 1);
  ::unsetenv("AGENTP2P_TEST_UNSET");
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, "agent:\n  name: ${AGENTP2P_TEST_NAME}\nhttp:\n  token: ${AGENTP2P_TEST_UNSET}\n", "e.yaml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(cfg.agent.name, "from-env");
  EXPECT_TRUE(cfg.http.token.empty());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], "e.yaml:4: ${AGENTP2P_TEST_UNSET} is not set; it expands to an empty value");
}

TEST(Config, YamlTextCanExpandFromAGivenEnvironment) {
  auto env = fake_env({{"AGENT", "given"}});
  ::setenv("AGENT", "from-process", 1);
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, "agent:\n  name: ${AGENT}\n  version: ${NOPE:-1.2.3}\n", "g.yaml", env);
  ::unsetenv("AGENT");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(cfg.agent.name, "given");
  EXPECT_EQ(cfg.agent.version, "1.2.3");
}

TEST(Config, PraxisAgentYamlMapsWhatAppliesAndWarnsAboutTheRest) {
  ::setenv("AGENTP2P_TEST_PORT", "5003", 1);
  auto cfg = default_config();
  auto r = apply_yaml_text(cfg, R"(
agent:
  name: "praxis-agent-from-yaml"
  version: "1.0.0"
  description: "Praxis P2P Agent"
  url: "http://praxis-agent-1:8000"
  external_mcp_endpoints:
    - "http://localhost:8080"
    - name: search
      url: https://mcp.example.com/mcp
      transport: http
      headers: {X-Key: k}
  tools:
    - name: "python_analyzer"
      engine: "dagger"
p2p:
  enabled: true
  port: ${AGENTP2P_TEST_PORT}
  rendezvous: "praxis-agents"
  enable_mdns: false
  enable_dht: true
  bootstrap_nodes: []
http:
  enabled: true
  port: ${HTTP_PORT_UNSET:-8000}
  host: "127.0.0.1"
mcp:
  enabled: true
  servers:
    - name: fs
      transport: stdio
      command: npx
      args: [server-filesystem]
      workdir: /tmp
    - name: off
      transport: stdio
      command: x
      enabled: false
llm:
  api_key: "${OPENAI_API_KEY}"
logging:
  level: "warning"
  format: "json"
)",
                           "agent.yaml");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(cfg.agent.name, "praxis-agent-from-yaml");
  EXPECT_EQ(cfg.agent.description, "Praxis P2P Agent");
  EXPECT_EQ(cfg.listen, (std::vector<std::string>{"/ip4/0.0.0.0/tcp/5003", "/ip6/::/tcp/5003"}));
  EXPECT_FALSE(cfg.mdns.enabled);
  EXPECT_TRUE(cfg.dht.enabled);
  EXPECT_TRUE(cfg.bootstrap.empty());
  EXPECT_EQ(cfg.http.address, "127.0.0.1:8000");
  EXPECT_EQ(cfg.logging.level, "warn");
  EXPECT_TRUE(cfg.logging.json);
  ASSERT_EQ(cfg.mcp_servers.size(), 3u);
  EXPECT_EQ(cfg.mcp_servers[0].name, "localhost-8080");
  EXPECT_EQ(cfg.mcp_servers[0].url, "http://localhost:8080");
  EXPECT_EQ(cfg.mcp_servers[0].expose, "all") << "praxis offers external MCP tools to every peer";
  EXPECT_EQ(cfg.mcp_servers[1].headers.at("X-Key"), "k");
  EXPECT_EQ(cfg.mcp_servers[2].name, "fs");
  EXPECT_EQ(cfg.mcp_servers[2].cwd, "/tmp");
  EXPECT_TRUE(validate(cfg));

  std::string all;
  for (const auto& w : *r) all += w + "\n";
  for (auto ignored : {"agent.url", "agent.tools", "p2p.enabled", "p2p.rendezvous", "mcp.enabled", "llm"})
    EXPECT_NE(all.find(std::string(ignored) + " is a praxis-go-sdk setting agentp2p does not use"), std::string::npos)
        << ignored << "\n" << all;
  EXPECT_NE(all.find("agent.yaml:6: agent.url"), std::string::npos) << all;
  EXPECT_EQ(all.find("agent.name"), std::string::npos);
  EXPECT_EQ(all.find("p2p.port"), std::string::npos);
}

TEST(Config, EnvironmentOverridesTheFileAndFlagsOverrideTheEnvironment) {
  auto cfg = default_config();
  ASSERT_TRUE(apply_yaml_text(cfg, "agent:\n  name: from-file\nhttp:\n  address: 127.0.0.1:1\n", "f.yaml"));
  auto env = fake_env({{"AGENTP2P_NAME", "from-env"},
                       {"AGENTP2P_LISTEN", "/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2"},
                       {"AGENTP2P_MDNS", "off"},
                       {"AGENTP2P_CONNECTIONS_LOW", "5"}});
  ASSERT_TRUE(apply_env(cfg, env));
  EXPECT_EQ(cfg.agent.name, "from-env");
  EXPECT_EQ(cfg.listen, (std::vector<std::string>{"/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"}));
  EXPECT_FALSE(cfg.mdns.enabled);
  EXPECT_EQ(cfg.connections.low, 5);
  EXPECT_EQ(cfg.http.address, "127.0.0.1:1");

  ASSERT_TRUE(apply_setting(cfg, "agent.name", {"from-flag"}, "--name"));
  ASSERT_TRUE(apply_setting(cfg, "listen", {"/ip4/127.0.0.1/tcp/3"}, "--listen"));
  EXPECT_EQ(cfg.agent.name, "from-flag");
  EXPECT_EQ(cfg.listen, std::vector<std::string>{"/ip4/127.0.0.1/tcp/3"});

  auto bad_env = apply_env(cfg, fake_env({{"AGENTP2P_CONNECTIONS_HIGH", "lots"}}));
  ASSERT_FALSE(bad_env);
  EXPECT_EQ(bad_env.error().message,
            "environment variable AGENTP2P_CONNECTIONS_HIGH (connections.high): expected an integer, got 'lots'");
  auto bad_flag = apply_setting(cfg, "http.address", {"nowhere"}, "--api");
  ASSERT_FALSE(bad_flag);
  EXPECT_EQ(bad_flag.error().message.rfind("--api: 'nowhere' is not host:port", 0), 0u);
}

TEST(Config, CrossSettingChecks) {
  auto cfg = default_config();
  cfg.connections.low = 500;
  auto r = validate(cfg);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("connections.low (500) must not exceed connections.high (400)"), std::string::npos);
  cfg = default_config();
  cfg.mdns.interfaces = {"all", "eth0"};
  EXPECT_FALSE(validate(cfg));
  cfg = default_config();
  cfg.listen.clear();
  EXPECT_FALSE(validate(cfg));
}

TEST(Config, ReadsAFileAndNamesAMissingOne) {
  auto path = std::filesystem::temp_directory_path() / ("agentp2p-config-test-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "agent:\n  name: on-disk\n  bogus: 1\n";
  }
  auto cfg = default_config();
  auto r = apply_yaml_file(cfg, path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind(path.string() + ":3: agent.bogus: unknown setting", 0), 0u) << r.error().message;
  std::filesystem::remove(path);
  auto missing = apply_yaml_file(cfg, path);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot read config file"), std::string::npos);
}

std::string read_source(const std::string& relative) {
  std::ifstream in(std::string(AGENTP2P_SOURCE_DIR) + "/" + relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// docs/config.md and config/agentp2p.example.yaml are generated from the
// settings table; regenerate with `agentp2p config docs|example`.
TEST(Config, CommittedDocsMatchTheSettingsTable) {
  EXPECT_EQ(read_source("docs/config.md"), config_reference_markdown())
      << "run: build/release/apps/agentp2p config docs > docs/config.md";
  EXPECT_EQ(read_source("config/agentp2p.example.yaml"), example_config_yaml())
      << "run: build/release/apps/agentp2p config example > config/agentp2p.example.yaml";
}

}  // namespace
}  // namespace agentp2p::daemon
