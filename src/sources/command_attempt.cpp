#include "homectl/sources/command_attempt.hpp"

#include "homectl/config/values.hpp"
#include "homectl/sources/pick.hpp"
#include "homectl/util/json.hpp"

#include <system_error>

namespace homectl::sources {
namespace {

// The longest piece of stderr quoted in an error.
constexpr std::size_t k_max_quoted = 256;

// The first line of a command's stderr, for its error message.
std::string_view first_line(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  if (!text.empty() && text.back() == '\r') {
    text.remove_suffix(1);
  }
  return text.substr(0, k_max_quoted);
}

std::string with_stderr(std::string what, std::string_view err) {
  const auto line = first_line(err);
  if (!line.empty()) {
    what += ": ";
    what += line;
  }
  return what;
}

Attempt failed(resilience::AttemptFailure failure, std::string_view reason, std::string error) {
  Attempt out;
  out.failure = failure;
  out.reason = reason;
  out.error = std::move(error);
  return out;
}

Attempt classify_output(std::string_view body, const config::SourceConfig& source) {
  auto picked = apply_pick(body, source.pick);
  if (!picked) {
    // Bad JSON under `pick` will be just as bad on the next run.
    return failed(resilience::AttemptFailure::permanent, "invalid_body", picked.error().message);
  }
  Attempt out;
  out.success = true;
  out.body = std::move(picked).value();
  out.content_type = command_content_type(source, out.body);
  return out;
}

} // namespace

std::vector<std::string> command_environment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> all{{"LANG", "C.UTF-8"}, {"PATH", "/usr/bin:/bin"}};
  for (const auto& [name, value] : env) {
    all[name] = value;
  }
  std::vector<std::string> out;
  out.reserve(all.size());
  for (const auto& [name, value] : all) {
    std::string variable = name;
    variable += '=';
    variable += value;
    out.push_back(std::move(variable));
  }
  return out;
}

std::string command_content_type(const config::SourceConfig& source, std::string_view body) {
  if (!source.content_type.empty()) {
    return source.content_type;
  }
  if (!source.pick.empty() || util::parse_json(body)) {
    return "application/json";
  }
  return "text/plain; charset=utf-8";
}

Attempt classify_exit(const util::ChildResult& run, const config::SourceConfig& source) {
  using resilience::AttemptFailure;
  switch (run.end) {
  case util::ChildEnd::exited:
    if (run.code == 0) {
      return classify_output(run.out, source);
    }
    return failed(AttemptFailure::protocol, "exit_status",
                  with_stderr("exit status " + std::to_string(run.code), run.err));
  case util::ChildEnd::signalled:
    return failed(AttemptFailure::protocol, "exit_status",
                  with_stderr("killed by signal " + std::to_string(run.code), run.err));
  case util::ChildEnd::not_started:
    return failed(AttemptFailure::permanent, "spawn",
                  "cannot run " + (source.command.empty() ? std::string() : source.command[0]) +
                      ": " + std::system_category().message(run.code));
  case util::ChildEnd::too_large:
    return failed(AttemptFailure::too_large, "too_large",
                  "output exceeds max_size " + config::format_size(source.policy.max_size));
  case util::ChildEnd::timed_out:
    return failed(AttemptFailure::timeout, "timeout",
                  "no exit within " + config::format_duration(source.policy.timeout));
  }
  return failed(AttemptFailure::permanent, "spawn", "unknown end of a command");
}

} // namespace homectl::sources
