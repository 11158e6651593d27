#include "cli.hpp"

#include "homectl/build_info.hpp"

#include <iostream>
#include <memory>

namespace homectl::cli {

std::string version_line() {
  return "homectl " + std::string(build::k_version) + " (" + std::string(build::k_compiler) + ", " +
         std::string(build::k_build_type) + ")";
}

void add_version(CLI::App& cmd, Context& /*ctx*/) {
  auto json = std::make_shared<bool>(false);
  cmd.add_flag("--json", *json, "Print as JSON");
  cmd.callback([json] {
    if (*json) {
      std::cout << R"({"version":")" << build::k_version << R"(","compiler":")" << build::k_compiler
                << R"(","build_type":")" << build::k_build_type << "\"}\n";
    } else {
      std::cout << version_line() << "\n";
    }
  });
}

} // namespace homectl::cli
