#pragma once

#include "cli.hpp"

#include "homectl/docs/cli_model.hpp"

// Reads the CLI11 definition back (introspection) into the plain model that the
// completion and man page generators use, so they never drift from the parser.
namespace homectl::cli {

// Describes `app` and its visible subcommands. Hidden subcommands and options
// (empty group) are left out; the help flag appears on the root only.
docs::CommandDoc describe(const CLI::App& app);

// Builds the full homectl application and describes it.
docs::CommandDoc describe_homectl();

} // namespace homectl::cli
