#include "cli.hpp"
#include "cli_model.hpp"

#include "homectl/docs/completion.hpp"

#include <iostream>
#include <memory>
#include <vector>

namespace homectl::cli {

void add_completion(CLI::App& cmd, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  const std::vector<std::string> shells(std::begin(docs::k_shell_names),
                                        std::end(docs::k_shell_names));
  cmd.add_option("shell", *shell, "Shell to generate the script for")
      ->required()
      ->check(CLI::IsMember(shells))
      ->type_name("SHELL");
  cmd.footer("Prints a completion script generated from the command definitions. Examples:\n"
             "  source <(homectl completion bash)\n"
             "  homectl completion zsh > ~/.zfunc/_homectl\n"
             "  homectl completion fish > ~/.config/fish/completions/homectl.fish");
  cmd.callback([shell, &ctx] {
    const auto parsed = docs::parse_shell(*shell);
    if (!parsed) {
      std::cerr << "homectl: completion: unknown shell '" << *shell
                << "' (use bash, zsh or fish)\n";
      ctx.exit_code = k_exit_usage;
      return;
    }
    std::cout << docs::completion_script(*parsed, describe_homectl());
  });
}

} // namespace homectl::cli
