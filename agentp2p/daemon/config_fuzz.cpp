// libFuzzer entry for the daemon's configuration file: our YAML form and a
// praxis-go-sdk agent.yaml, with ${VAR} / ${VAR:-default} expansion (from a
// fixed environment, so runs are reproducible), then the cross-setting
// checks and the YAML writer. Everything is in memory (apply_yaml_text).
// Built as fuzz_config by tests/fuzz; seeds in tests/fuzz/corpus/config.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agentp2p/daemon/config.hpp"

namespace {

using namespace agentp2p;

std::optional<std::string> fixed_env(std::string_view name) {
  if (name == "HOME") return std::string("/home/fuzz");
  if (name == "PORT") return std::string("4001");
  if (name == "EMPTY") return std::string();
  if (name == "NESTED") return std::string("${HOME}");
  if (name == "AGENTP2P_NAME") return std::string("env-agent");
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The file loader refuses more than 1 MiB; the fuzzer stays far below.
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  std::vector<std::string> unset;
  (void)daemon::expand_env(text, fixed_env, &unset);

  auto cfg = daemon::default_config();
  auto warnings = daemon::apply_yaml_text(cfg, text, "fuzz.yaml", fixed_env);
  if (!warnings) return 0;
  (void)daemon::apply_env(cfg, fixed_env);
  if (!daemon::validate(cfg)) return 0;
  // A valid configuration writes out as YAML that loads again (unless a value
  // holds "${", which the reader would expand a second time).
  auto written = daemon::to_yaml(cfg);
  if (written.find("${") != std::string::npos) return 0;
  auto reread = daemon::default_config();
  if (!daemon::apply_yaml_text(reread, written, "written.yaml", fixed_env)) std::abort();
  return 0;
}
