#include "cli.hpp"

#include "homectl/build_info.hpp"

#include <iostream>
#include <memory>

namespace homectl::cli {

void add_version(CLI::App& cmd, Context& /*ctx*/) {
  auto json = std::make_shared<bool>(false);
  cmd.add_flag("--json", *json, "Print as JSON");
  cmd.callback([json] {
    if (*json) {
      std::cout << R"({"version":")" << build::k_version << R"(","compiler":")" << build::k_compiler
                << R"(","build_type":")" << build::k_build_type << "\"}\n";
    } else {
      std::cout << "homectl " << build::k_version << " (" << build::k_compiler << ", "
                << build::k_build_type << ")\n";
    }
  });
}

} // namespace homectl::cli
