#include "cli.hpp"
#include "cli_model.hpp"

#include "homectl/build_info.hpp"
#include "homectl/config/loader.hpp"
#include "homectl/docs/man_page.hpp"
#include "homectl/docs/setting_docs.hpp"

#include <iostream>
#include <memory>

// `homectl docs man1|man5|sources`: a hidden command (not in help, completions
// or the man page) that prints the generated manual pages, which are checked
// in under man/, and the configured source names for the completion scripts.
namespace homectl::cli {

void add_docs(CLI::App& cmd, Context& ctx) {
  cmd.group(""); // hidden
  auto what = std::make_shared<std::string>();
  cmd.add_option("what", *what,
                 "man1 (man/homectl.1), man5 (man/homectl.json.5) or sources (one per line)")
      ->required()
      ->check(CLI::IsMember({"man1", "man5", "sources"}))
      ->type_name("WHAT");
  cmd.callback([what, &ctx] {
    const docs::ManualInfo info{build::k_version, docs::k_manual_date};
    if (*what == "man1") {
      std::cout << docs::homectl_1(describe_homectl(), docs::setting_docs(), info);
    } else if (*what == "man5") {
      std::cout << docs::homectl_json_5(docs::setting_docs(), info);
    } else {
      // For completion: quiet, and an unusable configuration simply lists nothing.
      config::LoadOptions options;
      options.path = ctx.globals.config_path;
      options.env = config::process_environment();
      const auto result = config::load(options);
      if (!result.ok()) {
        ctx.exit_code = k_exit_failed;
        return;
      }
      for (const auto& source : result.config.sources) {
        std::cout << source.name << "\n";
      }
    }
  });
}

} // namespace homectl::cli
