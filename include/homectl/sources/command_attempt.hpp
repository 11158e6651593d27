#pragma once

#include "homectl/config/config.hpp"
#include "homectl/sources/fetch_attempt.hpp"
#include "homectl/util/child_process.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

// The decisions of one run of a command source, apart from its I/O: the
// environment it gets, and what its exit and output come to. CommandFetcher
// does the permits, the process and the retries around them.
namespace homectl::sources {

// The whole environment of a command source: PATH=/usr/bin:/bin and
// LANG=C.UTF-8, then the source's `env` (a same-named entry replaces the
// default), as "NAME=value" strings ordered by name.
std::vector<std::string> command_environment(const std::map<std::string, std::string>& env);

// The Content-Type of a command's output: the source's content_type when
// set; else application/json for a picked body or one that parses as JSON;
// else text/plain; charset=utf-8.
std::string command_content_type(const config::SourceConfig& source, std::string_view body);

// What one run of `source.command` came to. Exit 0 is a success, its stdout
// through `pick` (bad JSON is a permanent invalid_body). A non-zero exit or a
// signal fails with reason exit_status and is worth a retry, like a 5xx; a
// program that cannot be started (spawn) or output past max_size (too_large)
// are permanent; the attempt's deadline is a timeout.
Attempt classify_exit(const util::ChildResult& run, const config::SourceConfig& source);

} // namespace homectl::sources
