#include "homectl/docs/command_prose.hpp"
#include "homectl/docs/man_page.hpp"
#include "homectl/docs/roff.hpp"
#include "homectl/util/strings.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace homectl::docs {
namespace {

bool has_command(const std::vector<CommandView>& views, std::string_view path) {
  return std::any_of(views.begin(), views.end(),
                     [&](const CommandView& v) { return v.path_string() == path; });
}

// Writes paragraphs separated by blank lines as .PP-separated roff text.
void write_paragraphs(std::ostream& out, std::string_view text) {
  bool first = true;
  while (!text.empty()) {
    const auto end = text.find("\n\n");
    const auto paragraph = text.substr(0, end);
    if (!first) {
      out << ".PP\n";
    }
    out << roff_paragraph(paragraph) << "\n";
    first = false;
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
  }
}

std::string option_label(const OptionDoc& option) {
  std::string out;
  for (const auto& spelling : option.spellings()) {
    out += (out.empty() ? "" : ", ") + std::string("\\fB") + roff_escape(spelling) + "\\fR";
  }
  if (option.value_optional) {
    out += "[=\\fI" + roff_escape(option.value_name) + "\\fR]";
  } else if (option.takes_value()) {
    out += " \\fI" + roff_escape(option.value_name) + "\\fR";
    if (option.repeatable) {
      out += " ...";
    }
  }
  return out;
}

void write_option(std::ostream& out, const OptionDoc& option) {
  out << ".TP\n" << option_label(option) << "\n";
  std::string text = option.help.empty() ? "" : option.help;
  if (!text.empty() && text.back() != '.') {
    text += '.';
  }
  if (option.kind == ValueKind::choice && !option.choices.empty()) {
    text += " One of: " + util::join(option.choices, ", ") + ".";
  }
  if (option.takes_value() && !option.default_value.empty()) {
    text += " Default: " + option.default_value + ".";
  }
  if (!option.env.empty()) {
    text += " Environment: " + option.env + ".";
  }
  out << roff_paragraph(text) << "\n";
}

void write_positional(std::ostream& out, const PositionalDoc& positional) {
  out << ".TP\n\\fI" << roff_escape(positional.name) << "\\fR"
      << (positional.variadic ? " ..." : "") << "\n";
  std::string text = positional.help;
  if (!text.empty() && text.back() != '.') {
    text += '.';
  }
  if (positional.kind == ValueKind::choice && !positional.choices.empty()) {
    text += " One of: " + util::join(positional.choices, ", ") + ".";
  }
  if (!positional.required) {
    text += " Optional.";
  }
  out << roff_paragraph(text) << "\n";
}

std::string usage(const CommandView& view) {
  auto line = "homectl " + view.path_string();
  const auto args = usage_arguments(*view.command);
  return args.empty() ? line : line + " " + args;
}

void write_synopsis(std::ostream& out, const std::vector<CommandView>& views) {
  out << ".SH SYNOPSIS\n"
         ".B homectl\n"
         ".RI [ global-options ] \" \" command \" \" [ options ] \" \" [ arguments ]\n"
         ".PP\n"
         ".nf\n";
  for (const auto& view : views) {
    if (view.path.empty() || !view.command->subcommands.empty()) {
      continue;
    }
    out << "\\fBhomectl " << roff_escape(view.path_string()) << "\\fR";
    const auto args = usage_arguments(*view.command);
    if (!args.empty()) {
      out << " " << roff_escape(args);
    }
    out << "\n";
  }
  out << ".fi\n";
}

void write_commands(std::ostream& out, const std::vector<CommandView>& views) {
  out << ".SH COMMANDS\n";
  for (const auto& view : views) {
    if (view.path.empty()) {
      continue;
    }
    const auto& command = *view.command;
    out << ".SS " << roff_argument(usage(view)) << "\n";
    auto summary = command.summary;
    if (!summary.empty() && summary.back() != '.') {
      summary += '.';
    }
    out << roff_paragraph(summary) << "\n";
    if (const auto prose = command_prose(view.path_string()); !prose.empty()) {
      out << ".PP\n";
      write_paragraphs(out, prose);
    }
    if (!command.subcommands.empty()) {
      out << ".PP\n"
          << roff_paragraph("Subcommands: " + util::join(command.subcommand_names(), ", ") + ".")
          << "\n";
    }
    for (const auto& positional : command.positionals) {
      write_positional(out, positional);
    }
    for (const auto& option : command.options) {
      write_option(out, option);
    }
  }
}

void write_exit_status(std::ostream& out, const std::vector<CommandView>& views) {
  out << ".SH EXIT STATUS\n"
         ".TP\n0\nSuccess.\n"
         ".TP\n1\n"
      << roff_paragraph("A check or validation failed, including a missing configuration file.")
      << "\n.TP\n64\n"
      << roff_paragraph("Usage error (EX_USAGE): an unknown command or option, or a bad "
                        "argument.")
      << "\n";
  if (has_command(views, "serve")) {
    out << ".TP\n78\n"
        << roff_paragraph("Configuration error (EX_CONFIG): serve refused to start with an "
                          "invalid configuration.")
        << "\n";
  }
  if (has_command(views, "check-ready")) {
    out << ".PP\n"
        << roff_paragraph("check-ready follows the Nagios plugin convention instead:") << "\n"
        << ".TP\n0\nOK: the daemon is ready.\n"
        << ".TP\n1\n"
        << roff_paragraph("WARNING: ready, but a check warns (e.g. an optional Redis is down).")
        << "\n.TP\n2\n"
        << roff_paragraph("CRITICAL: the daemon answered that it is not ready.") << "\n"
        << ".TP\n3\n"
        << roff_paragraph("UNKNOWN: unreachable, timed out, an unparseable answer, or a usage "
                          "error.")
        << "\n";
  }
}

void write_environment(std::ostream& out, const CommandDoc& root,
                       std::span<const SettingDoc> settings) {
  out << ".SH ENVIRONMENT\n";
  std::set<std::string> seen;
  for (const auto& variable : cli_environment()) {
    out << ".TP\n.B " << roff_escape(variable.name) << "\n" << roff_paragraph(variable.doc) << "\n";
    seen.insert(variable.name);
  }
  for (const auto& view : flatten(root)) {
    for (const auto& option : view.command->options) {
      if (option.env.empty() || !seen.insert(option.env).second) {
        continue;
      }
      out << ".TP\n.B " << roff_escape(option.env) << "\n"
          << roff_paragraph("Default for " + option.primary() + " of homectl " +
                            view.path_string() + ".")
          << "\n";
    }
  }
  out << ".PP\n"
      << roff_paragraph("Every setting of the configuration file can be set from the "
                        "environment; the variable name derives from the setting's path, and "
                        "the environment wins over the file. Values use the file's syntax "
                        "(see homectl.json(5)). An unknown HOMECTL_* variable gets a warning "
                        "with the nearest known name.")
      << "\n";
  for (const auto& setting : settings) {
    for (std::size_t i = 0; i < setting.env.size(); ++i) {
      if (!seen.insert(setting.env[i]).second) {
        continue;
      }
      // Variables pair with paths (HOMECTL_DEFAULTS_TTL sets defaults.ttl).
      const auto what = setting.env.size() == setting.paths.size()
                            ? setting.paths[i]
                            : util::join(setting.paths, " or ");
      out << ".TP\n.B " << roff_escape(setting.env[i]) << "\n"
          << roff_paragraph("Sets " + what + (setting.secret ? " (secret)." : ".")) << "\n";
    }
  }
  out << ".PP\n"
      << roff_paragraph("Read from the service manager:") << "\n"
      << ".TP\n.B NOTIFY_SOCKET\n"
      << roff_paragraph("Where serve and watchdog send systemd notifications (READY=1, "
                        "WATCHDOG=1, RELOADING=1, STOPPING=1, STATUS=).")
      << "\n.TP\n.B WATCHDOG_USEC\n"
      << roff_paragraph("The systemd watchdog period; keep-alive pings are sent at half of it.")
      << "\n.TP\n.B RUNTIME_DIRECTORY\n"
      << roff_paragraph("Where watchdog --once keeps its state file (set by RuntimeDirectory=).")
      << "\n.TP\n.B XDG_RUNTIME_DIR\n"
      << roff_paragraph("Where watchdog --once keeps its state file, under homectl/, when "
                        "RUNTIME_DIRECTORY is unset.")
      << "\n.TP\n.B XDG_CONFIG_HOME\n"
      << roff_paragraph("Searched for homectl/homectl.json when no file is given.") << "\n";
}

void write_files(std::ostream& out) {
  out << ".SH FILES\n"
         ".TP\n.I ./homectl.json\n"
      << roff_paragraph("The configuration file searched first when neither --config nor "
                        "HOMECTL_CONFIG names one.")
      << "\n.TP\n.I $XDG_CONFIG_HOME/homectl/homectl.json\n"
      << roff_paragraph("Searched second.") << "\n.TP\n.I /etc/homectl/homectl.json\n"
      << roff_paragraph("Searched last. The Debian package installs a small working "
                        "configuration there as a conffile, so upgrades keep your edits. With "
                        "no file at all homectl uses its built-in defaults.")
      << "\n.TP\n.I /etc/homectl/homectl.env\n"
      << roff_paragraph("Environment file read by the systemd units (EnvironmentFile=); holds "
                        "secrets such as HOMECTL_SERVER_API_TOKEN. Keep it mode 0600.")
      << "\n.TP\n.I /run/homectl/\n"
      << roff_paragraph("Holds the state file of watchdog --once when it runs from "
                        "homectl-watchdog.service (RuntimeDirectory=homectl, preserved between "
                        "runs).")
      << "\n.TP\n.I /usr/share/homectl/homectl.schema.json\n"
      << roff_paragraph("The JSON Schema of the configuration (homectl config schema), "
                        "installed under share/homectl/ of the installation prefix; the "
                        "configuration's \"$schema\" names it for editors.")
      << "\n.TP\n.I homectl.service, homectl-watchdog.service, homectl-watchdog.timer\n"
      << roff_paragraph("systemd units, installed in /lib/systemd/system/ by the Debian "
                        "package and under lib/systemd/system/ of the installation prefix "
                        "otherwise.")
      << "\n";
}

void write_examples(std::ostream& out, const std::vector<CommandView>& views) {
  out << ".SH EXAMPLES\n";
  bool first = true;
  auto example = [&out, &first](std::string_view title, std::string_view code) {
    out << (first ? "" : ".PP\n") << roff_paragraph(title) << "\n.PP\n.RS 4\n.EX\n";
    first = false;
    out << roff_escape(code) << "\n.EE\n.RE\n";
  };
  if (has_command(views, "config validate")) {
    example("Check a configuration before deploying it; every problem is listed:",
            "homectl config validate /etc/homectl/homectl.json");
  }
  if (has_command(views, "serve")) {
    example("Run the daemon in the foreground with text logs:",
            "homectl serve --config ./homectl.json --log-level debug");
    example("Run it under systemd; put secrets in the environment file, validate, start, and "
            "reload after editing the configuration:",
            "install -m 0600 /dev/null /etc/homectl/homectl.env\n"
            "echo 'HOMECTL_SERVER_API_TOKEN=change-me' >> /etc/homectl/homectl.env\n"
            "homectl config validate /etc/homectl/homectl.json\n"
            "systemctl enable --now homectl.service\n"
            "systemctl reload homectl.service\n"
            "journalctl -u homectl.service -f");
  }
  if (has_command(views, "check-ready")) {
    example("Probe readiness from cron every five minutes; cron mails only when it is not "
            "ready:",
            "*/5 * * * * homectl check-ready --timeout 5s");
    example("The same probe for Nagios or Icinga, with perfdata:",
            "homectl check-ready --verbose --url http://127.0.0.1:8080");
  }
  if (has_command(views, "watchdog")) {
    example("Get notified when the daemon goes down: configure watchdog.notify, send a test "
            "message, then enable the timer that runs watchdog --once:",
            "homectl watchdog --test-notify\n"
            "systemctl enable --now homectl-watchdog.timer\n"
            "systemctl list-timers homectl-watchdog.timer");
    example("Or from cron, keeping the state in a directory of your choice:",
            "* * * * * homectl watchdog --once --state-file /var/tmp/homectl-watchdog.json");
  }
  if (has_command(views, "cache warm")) {
    example("Warm the cache right after the daemon starts (in homectl.service):",
            "ExecStartPost=/usr/local/bin/homectl cache warm");
  }
  if (has_command(views, "metrics")) {
    example("Watch the daemon's metrics, redrawn every two seconds:", "homectl metrics --watch");
  }
  if (has_command(views, "completion")) {
    example("Load completions into the running bash:", "source <(homectl completion bash)");
  }
}

} // namespace

std::vector<EnvironmentDoc> cli_environment() {
  return {
      {"HOMECTL_CONFIG", "The configuration file, as --config (the flag wins)."},
      {"HOMECTL_URL", "The daemon's base URL for commands that talk to it (check-ready, metrics, "
                      "cache warm, watchdog), as --url. Default: http:// and server.listen."},
      {"HOMECTL_TOKEN", "The API token those commands send, as --token. Default: "
                        "server.api_token."},
  };
}

std::string homectl_1(const CommandDoc& root, std::span<const SettingDoc> settings,
                      const ManualInfo& info) {
  const auto views = flatten(root);
  std::ostringstream out;
  out << ".\\\" Generated by `homectl docs man1` from the command and settings tables; do not "
         "edit.\n"
      << ".TH HOMECTL 1 " << info.date << " " << roff_argument("homectl " + info.version) << " "
      << roff_argument("homectl manual") << "\n"
      << ".nh\n.ad l\n"
      << ".SH NAME\n"
      << "homectl \\- one reliable hub for a home server's data sources\n";
  write_synopsis(out, views);
  out << ".SH DESCRIPTION\n"
      << roff_paragraph(
             "homectl fetches each configured source (external APIs, local devices) on a "
             "schedule with timeouts, jittered retries, a circuit breaker and concurrency caps, "
             "keeps the latest good value in memory and serves it instantly over a local HTTP "
             "API, with stale-while-revalidate and stale-if-error. It announces changes on "
             "Redis pub/sub and Server-Sent Events, exposes health and Prometheus metrics, and "
             "ships a watchdog that notifies the owner when health changes.")
      << "\n.PP\n"
      << roff_paragraph("One binary does every job; the first argument names the command. "
                        "Global options are accepted before or after the command. The "
                        "configuration is one JSON file plus environment variables, described "
                        "in homectl.json(5); flags win over the environment, the environment "
                        "over the file, the file over built-in defaults.")
      << "\n.SH GLOBAL OPTIONS\n";
  for (const auto& option : root.options) {
    write_option(out, option);
  }
  write_commands(out, views);
  write_exit_status(out, views);
  write_environment(out, root, settings);
  write_files(out);
  write_examples(out, views);
  out << ".SH SEE ALSO\n"
         ".BR homectl.json (5),\n"
         ".BR crontab (5),\n"
         ".BR systemd.service (5),\n"
         ".BR systemd.timer (5),\n"
         ".BR systemd.exec (5)\n";
  return out.str();
}

} // namespace homectl::docs
