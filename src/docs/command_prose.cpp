#include "homectl/docs/command_prose.hpp"

#include <array>
#include <utility>

// Why a table of prose rather than CLI11 footers: the man page needs several
// paragraphs per command with exit codes and file locations, which would
// clutter `--help`; keeping them here, keyed by path, lets the page generator
// print them only for commands the binary actually has.
namespace homectl::docs {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> k_prose{{
    {"serve",
     R"(Runs the daemon. It fetches every configured source on its schedule, with
timeouts, jittered retries, a circuit breaker and concurrency caps, keeps the
latest good value in memory (and optionally in Redis) and serves it over a
local HTTP API: GET /live, /ready, /health, /metrics, /diagnostics, /v1/sources,
/v1/sources/NAME, /v1/sources/NAME/history, /v1/events (Server-Sent Events),
/v1/history, /openapi.json and the status page at /; POST
/v1/sources/NAME/refresh.

Unless history.enabled is false it keeps an in-memory history: every
history.interval it records requests and 5xx answers per second, the p95
latency of source reads, the cache hit ratio and, per source, refreshes,
failures, their mean duration, the value's age and every number of its
values, for history.retention, in memory bounded by history.max_size.
GET /v1/history serves it; nothing is written to disk, so a restart starts
with no history.

With no configuration file it starts with built-in defaults: it listens on
127.0.0.1:8080 with no sources. An invalid configuration makes it exit with
status 78 before it listens, so systemd does not restart it in a loop.

Under systemd (Type=notify) it sends READY=1 once it listens, WATCHDOG=1 from
the event loop at half of WatchdogSec=, RELOADING=1 on SIGHUP and STOPPING=1 on
SIGTERM. SIGHUP re-reads and validates the configuration and applies it
atomically when it is valid; otherwise the old one stays and the errors are
logged once. SIGTERM or SIGINT stop accepting connections, answer /ready with
503, finish in-flight requests within server.drain_timeout and exit 0.

When JOURNAL_STREAM names its standard output (systemd connected it to the
journal), every log line starts with its syslog priority: <3> error, <4> warn,
<6> info, <7> debug; journald strips the prefix and journalctl -p filters on it.)"},
    {"check-ready",
     R"(Asks a running daemon whether it is ready (GET /ready) and exits with the
Nagios plugin convention: 0 ready, 1 warning, 2 not ready, 3 unreachable,
timeout, unparseable answer or usage error. It prints nothing when ready, so
cron mails only trouble; on trouble it prints one line to standard error
naming the failing checks. With --verbose it always prints one line with
perfdata (latency=0.004s); with --json it prints the daemon's report.)"},
    {"metrics",
     R"(Fetches /metrics from a running daemon and renders it: requests and error
rate per route, p50, p95 and p99 latency estimated from the histograms, cache
hit, stale and miss ratios, and per source its state, circuit breaker, age
of the last success and failed refreshes by reason, and whether Redis is up. --format prom prints the
Prometheus text unchanged, --format json a JSON document; --watch redraws the
table in place and shows rates computed from the differences. --history RANGE
(default 24h) prints the daemon's in-memory history instead (GET /v1/history):
one line per series with a sparkline of about 60 characters, one per step, a
blank where nothing was recorded, and the minimum, maximum and last value;
with --format json the series themselves.)"},
    {"config",
     R"(Works with the configuration file (see homectl.json(5)) and the
environment overrides without starting the daemon.)"},
    {"config validate",
     R"(Validates a configuration file (by default the one homectl would use) and
the HOMECTL_* environment. Every problem is reported in one run, each as
FILE:LINE:COLUMN: PATH: MESSAGE or VARIABLE: MESSAGE, with a suggestion for a
misspelt key. Exits 0 when valid and 1 when not; a missing file is invalid.
Warnings do not fail validation unless --strict is given.)"},
    {"config show",
     R"(Prints the effective configuration (defaults, file, environment and
flags merged) as JSON. Secrets read "<redacted>" and URLs lose their
credentials and query values. --origin shows where each value came from.)"},
    {"config schema",
     R"(Prints a JSON Schema (2020-12) of the configuration file, for editors
that validate and complete JSON.)"},
    {"config env",
     R"(Prints a sample environment file with every HOMECTL_* variable, its
default and documentation, suitable for /etc/homectl/homectl.env.)"},
    {"cache warm",
     R"(Asks a running daemon to refresh the named sources (all when none is
named) and waits for the results, a few at a time. A 429 answer is waited out
as its Retry-After asks rather than counted as a failure. On a terminal it
shows a progress bar; it always ends with a summary table (source, outcome,
duration, changed). Exits 1 if any refresh failed. Suitable for
ExecStartPost= in a systemd unit.)"},
    {"watchdog",
     R"(Watches a running daemon: it checks /ready (and /health for the message)
every watchdog.interval and notifies every notifier of watchdog.notify when the
state changes. The state becomes down after watchdog.failure_threshold
consecutive failures and recovered after watchdog.success_threshold
successes; while down it reminds every watchdog.remind_every if set. A first
run that finds the daemon up records that silently.

With watchdog.sources set to "all" or a list of names, each chosen source's
check in the daemon's answer is tracked the same way (same thresholds and
reminders) and named with its cause: "weather failing since 10:42: upstream
status 503", "weather recovered after 2 h 5 min" (local time, spans in at
most two units). The changes one check finds go out as one message per
notifier: one title and one line per change. A listed source the daemon does
not report is shown as "not reported" by watchdog status, not an error; while
the daemon is unreachable no source is judged. The default, "required",
tracks the daemon alone (a failing required source fails its readiness).

With --once it checks once and exits, for cron or a systemd timer. Its state
is kept in a small JSON file in $RUNTIME_DIRECTORY, else
$XDG_RUNTIME_DIR/homectl/, else /run/homectl/ (--state-file overrides), written
atomically, so consecutive runs count correctly, nothing is sent twice and a
failed delivery is retried by the next run. Without --once it runs until
SIGTERM and speaks the systemd notify protocol like serve.

Notifiers: ntfy (POST to the topic URL; tapping the notification opens the
status page at --url), gotify (POST /message), webhook (POST
of a JSON document with state, previous state, time, URL, checks, message and
a sources array of {source, state, since, message}) and command (runs an
argument vector without a shell, with HOMECTL_STATE, HOMECTL_PREVIOUS,
HOMECTL_TITLE, HOMECTL_MESSAGE, HOMECTL_SOURCES and HOMECTL_SOURCES_JSON in its
environment, killed after its timeout). Deliveries are retried with backoff; one failing notifier does not
stop the others. A heartbeat notifier is told about every check instead of
about changes: a GET to its url after a check that found the daemon up, to
its fail_url (if set) after one that did not, never queued; healthchecks.io or
an Uptime Kuma push monitor then notices when the checks stop. --test-notify
sends a test message to every notifier (a heartbeat gets a GET to its url) and
reports each result. During a silence (watchdog silence) a heartbeat GETs its
url after every check and never its fail_url.

Output, errors and the state file name each notifier by its type, its number
among the notifiers of that type and its host, e.g. webhook#2 ha.lan:8123 or
command#1, never by its URL or argv: a notifier URL's user:password@ (sent as
HTTP Basic auth), path and query may hold secrets. The state file is created
with mode 0600 in directories created with mode 0700; a symbolic link or
anything but a regular file at its path is refused, and a file over 1 MiB is
not read (the run starts afresh). A command gets file descriptors 0-2 only.)"},
    {"watchdog silence",
     R"(Starts a maintenance window: until DURATION has passed (at most 30d),
checks go on and record every change, but no notification is sent. When it is
over, or when --clear ends it, the next check sends one summary if anything
differs from what was last announced before it began (nothing if all came
back). Deliveries queued before it still go out; heartbeats are not silenced.
Silencing again moves the end and the reason and keeps what was announced.
The silence lives in the state file of watchdog --once (same default,
--state-file overrides); a long-running watchdog honours it when it keeps its
state in a file, and a save of its own at the same moment keeps the new
silence (both lock the file's directory while they write). Run as root, it keeps the owner of the file it replaces.
--reason (at most 200 bytes, no control characters) is shown by watchdog
status. Prints when the silence ends; exits 0, 1 when the state file cannot
be read or written, 64 on a usage error.)"},
    {"watchdog status",
     R"(Shows, from the state file alone (neither the daemon nor any notifier is
contacted): the watched URL, what is tracked, the state of the daemon and of
each tracked source and since when (a source is "unknown" before its first
check and "not reported" when the daemon's last answer had no check for it),
the silence (until, reason) and the deliveries still owed per notifier.
--json prints {url, state_file, tracking, daemon, sources, silence, pending}
for scripts. Exits 0, 1 when the state file cannot be read.)"},
    {"completion",
     R"(Prints a completion script for bash, zsh or fish, generated from the
command definitions, so it completes every subcommand, option and option
value, and source names from the configuration. The installed package puts
the scripts where the shells find them; to load one by hand:
source <(homectl completion bash).)"},
    {"version", R"(Prints the version, compiler and build type; --json as a JSON object.)"},
}};

} // namespace

std::string_view command_prose(std::string_view path) {
  for (const auto& [key, text] : k_prose) {
    if (key == path) {
      return text;
    }
  }
  return {};
}

} // namespace homectl::docs
