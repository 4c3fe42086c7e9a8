#include "agentp2p/base/deadline.hpp"

namespace agentp2p {

std::string describe_duration(duration d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace agentp2p
