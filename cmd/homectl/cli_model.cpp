#include "cli_model.hpp"

#include "homectl/util/strings.hpp"

#include <algorithm>

namespace homectl::cli {
namespace {

// CLI11's full type name is "BASE:validator:validator"; a set validator
// describes itself as "{a,b,c}" (a map as "{a->x,b->y}").
struct TypeName {
  std::string base;
  std::vector<std::string> validators;
};

TypeName split_type_name(const std::string& full) {
  TypeName out;
  std::size_t depth = 0;
  std::string current;
  bool first = true;
  for (char c : full) {
    if (c == '{') {
      ++depth;
    } else if (c == '}' && depth > 0) {
      --depth;
    }
    if (c == ':' && depth == 0) {
      (first ? out.base : out.validators.emplace_back()) = current;
      first = false;
      current.clear();
      continue;
    }
    current += c;
  }
  (first ? out.base : out.validators.emplace_back()) = current;
  return out;
}

std::vector<std::string> set_members(const std::string& description) {
  std::vector<std::string> out;
  for (auto& item : util::split(description.substr(1, description.size() - 2), ',')) {
    if (auto arrow = item.find("->"); arrow != std::string::npos) {
      item.resize(arrow);
    }
    auto trimmed = std::string(util::trim(item));
    if (!trimmed.empty()) {
      out.push_back(std::move(trimmed));
    }
  }
  return out;
}

bool is_set(const std::string& text) {
  return text.size() >= 2 && text.front() == '{' && text.back() == '}';
}

// Decides the completion kind from the type name, the validators and the name.
docs::ValueKind kind_of(const TypeName& type, const std::string& name,
                        std::vector<std::string>& choices) {
  for (const auto& validator : type.validators) {
    if (is_set(validator)) {
      choices = set_members(validator);
      return docs::ValueKind::choice;
    }
  }
  const auto base = util::to_upper(type.base);
  const auto upper_name = util::to_upper(name);
  auto any_validator = [&](std::string_view word) {
    return std::any_of(type.validators.begin(), type.validators.end(),
                       [&](const std::string& v) { return util::to_upper(v).find(word) == 0; });
  };
  if (base == "SOURCE" || upper_name == "SOURCE" || upper_name == "SOURCES") {
    return docs::ValueKind::source;
  }
  if (base == "DIR" || base == "DIRECTORY" || any_validator("DIR")) {
    return docs::ValueKind::directory;
  }
  if (base == "FILE" || base == "PATH" || any_validator("FILE") || any_validator("PATH")) {
    return docs::ValueKind::file;
  }
  return docs::ValueKind::text;
}

bool is_variadic(const CLI::Option& option) {
  return option.get_items_expected_max() > 1 || option.get_expected_max() > 1;
}

docs::OptionDoc describe_option(const CLI::Option& option) {
  docs::OptionDoc out;
  out.short_names = option.get_snames();
  out.long_names = option.get_lnames();
  out.help = option.get_description();
  out.env = option.get_envname();
  if (option.get_items_expected_max() == 0) {
    out.kind = docs::ValueKind::none;
    return out;
  }
  const auto type = split_type_name(option.get_type_name());
  out.value_name = type.base.empty() ? "VALUE" : type.base;
  out.kind = kind_of(type, out.long_names.empty() ? "" : out.long_names.front(), out.choices);
  out.default_value = option.get_default_str();
  out.repeatable = is_variadic(option);
  out.value_optional = option.get_expected_min() == 0;
  return out;
}

docs::PositionalDoc describe_positional(const CLI::Option& option) {
  docs::PositionalDoc out;
  const auto pname = option.get_name(true);
  out.name = util::to_upper(pname);
  out.help = option.get_description();
  out.required = option.get_required();
  out.variadic = is_variadic(option);
  out.kind = kind_of(split_type_name(option.get_type_name()), pname, out.choices);
  return out;
}

docs::CommandDoc describe_app(const CLI::App& app, bool is_root) {
  docs::CommandDoc out;
  out.name = app.get_name();
  out.summary = app.get_description();
  out.subcommand_required = app.get_require_subcommand_min() > 0;
  for (const auto* option : app.get_options()) {
    if (option->get_group().empty()) {
      continue;
    }
    if (option == app.get_help_ptr() && !is_root) {
      continue;
    }
    if (option->nonpositional()) {
      out.options.push_back(describe_option(*option));
    }
    if (option->get_positional()) {
      out.positionals.push_back(describe_positional(*option));
    }
  }
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_group().empty() || sub->get_name().empty()) {
      continue;
    }
    out.subcommands.push_back(describe_app(*sub, false));
  }
  return out;
}

} // namespace

docs::CommandDoc describe(const CLI::App& app) {
  return describe_app(app, true);
}

docs::CommandDoc describe_homectl() {
  Context ctx;
  CLI::App app{"homectl", "homectl"};
  build_app(app, ctx);
  return describe(app);
}

} // namespace homectl::cli
