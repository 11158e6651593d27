#pragma once

#include "homectl/config/loader.hpp"

#include <string>
#include <vector>

namespace homectl::config::testing {

// A load's problems, one line each as `config validate` prints them.
inline std::vector<std::string> lines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) {
    out.push_back(p.to_string());
  }
  return out;
}

} // namespace homectl::config::testing
