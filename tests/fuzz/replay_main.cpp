// A main() for the fuzz harnesses when built without libFuzzer (any
// compiler): feeds every file under the given directories (and any files
// given directly) to LLVMFuzzerTestOneInput, in name order, once each. ctest
// runs it on the committed corpus and the regression inputs, so every input
// that ever found a bug keeps being checked, under the Sanitize build with
// ASan+UBSan too. A harness reports a broken invariant by aborting.
//   fuzz_replay_<target> tests/fuzz/corpus/<target> tests/fuzz/regressions/<target>
// Missing directories are skipped (a target may have no regressions yet).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path p(argv[i]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file()) inputs.push_back(e.path());
    } else if (fs::is_regular_file(p, ec)) {
      inputs.push_back(p);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  std::size_t bytes = 0;
  for (const auto& p : inputs) {
    std::ifstream f(p, std::ios::binary);
    std::vector<std::uint8_t> in((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    // Printed first, so a crash names its input in the test log.
    std::fprintf(stderr, "%s\n", p.c_str());
    LLVMFuzzerTestOneInput(in.data(), in.size());
    bytes += in.size();
  }
  std::printf("replayed %zu inputs (%zu bytes)\n", inputs.size(), bytes);
  return inputs.empty() ? 1 : 0;
}
