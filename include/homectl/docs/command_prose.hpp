#pragma once

#include <string_view>

// The longer text of each command for the man page: what it does beyond its
// one-line summary. Kept by command path; a command without prose gets only
// its summary, and prose for a command the binary lacks is never printed.
namespace homectl::docs {

// Paragraphs (separated by blank lines) for a command path such as
// "config validate"; empty when there is none.
std::string_view command_prose(std::string_view path);

} // namespace homectl::docs
