#include "homectl/docs/cli_model.hpp"
#include "homectl/util/strings.hpp"

namespace homectl::docs {
namespace {

void collect(const CommandDoc& command, const std::vector<std::string>& path,
             std::vector<const OptionDoc*> inherited, std::vector<CommandView>& out) {
  for (const auto& option : command.options) {
    inherited.push_back(&option);
  }
  out.push_back(CommandView{&command, path, inherited});
  for (const auto& sub : command.subcommands) {
    auto sub_path = path;
    sub_path.push_back(sub.name);
    collect(sub, sub_path, inherited, out);
  }
}

} // namespace

std::vector<std::string> OptionDoc::spellings() const {
  std::vector<std::string> out;
  for (const auto& s : short_names) {
    out.push_back("-" + s);
  }
  for (const auto& l : long_names) {
    out.push_back("--" + l);
  }
  return out;
}

std::string OptionDoc::primary() const {
  if (!long_names.empty()) {
    return "--" + long_names.front();
  }
  if (!short_names.empty()) {
    return "-" + short_names.front();
  }
  return {};
}

std::vector<std::string> CommandDoc::subcommand_names() const {
  std::vector<std::string> names;
  names.reserve(subcommands.size());
  for (const auto& sub : subcommands) {
    names.push_back(sub.name);
  }
  return names;
}

std::string CommandView::path_string() const {
  return util::join(path, " ");
}

std::vector<CommandView> flatten(const CommandDoc& root) {
  std::vector<CommandView> out;
  collect(root, {}, {}, out);
  return out;
}

std::string usage_arguments(const CommandDoc& command) {
  std::string out;
  if (!command.options.empty()) {
    out += "[OPTIONS]";
  }
  for (const auto& positional : command.positionals) {
    if (!out.empty()) {
      out += ' ';
    }
    out += positional.required ? "" : "[";
    out += positional.name;
    out += positional.variadic ? "..." : "";
    out += positional.required ? "" : "]";
  }
  if (!command.subcommands.empty()) {
    if (!out.empty()) {
      out += ' ';
    }
    out += command.subcommand_required ? "COMMAND" : "[COMMAND]";
  }
  return out;
}

} // namespace homectl::docs
