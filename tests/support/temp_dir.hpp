// A fresh directory for one test (mkdtemp: unique, mode 0700), removed with
// everything in it when the test is done with it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace agentp2p::test {

struct temp_dir {
  std::filesystem::path path;

  explicit temp_dir(const std::string& tag = "test") {
    auto pattern = (std::filesystem::temp_directory_path() / ("agentp2p-" + tag + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace agentp2p::test
