#include "homectl/docs/man_page.hpp"
#include "homectl/docs/roff.hpp"

#include <sstream>

namespace homectl::docs {
namespace {

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    out += (out.empty() ? "" : std::string(sep)) + w;
  }
  return out;
}

// The example from the design: every section once, two sources, notifiers.
constexpr std::string_view k_example = R"json({
  // Comments are allowed.
  "server": { "listen": "127.0.0.1:8080", "api_token": "${HOME_API_TOKEN}" },
  "log": { "level": "info", "format": "json" },
  "redis": { "url": "redis://127.0.0.1:6379/0", "required": false },
  "defaults": { "ttl": "5m", "refresh": "15m", "timeout": "5s", "retries": 2 },
  "sources": {
    "weather": {
      "url": "https://api.open-meteo.com/v1/forecast?latitude=52.52&longitude=13.41&current=temperature_2m",
      "ttl": "15m", "refresh": "30m", "pick": ["/current"], "rate_limit": "60/h"
    },
    "plug": { "url": "http://plug.lan/rpc/Switch.GetStatus?id=0", "ttl": "30s",
              "timeout": "2s", "required": true,
              "values": { "power_w": "/apower", "on": "/output" } },
    "disk": { "command": ["/usr/sbin/smartctl", "-j", "-A", "/dev/sda"], "ttl": "10m",
              "values": { "temperature": "/temperature/current" } }
  },
  "limits": { "refresh": { "rate": "60/m", "burst": 30 } },
  "watchdog": {
    "interval": "60s", "failure_threshold": 3, "remind_every": "6h",
    "sources": ["weather", "plug"],
    "notify": [
      { "type": "ntfy", "url": "https://ntfy.sh/my-home", "token": "${NTFY_TOKEN}" },
      { "type": "command", "argv": ["/usr/local/bin/page-me"] }
    ]
  }
})json";

void write_setting(std::ostream& out, const SettingDoc& setting) {
  out << ".TP\n";
  for (std::size_t i = 0; i < setting.paths.size(); ++i) {
    if (i > 0) {
      out << ".TQ\n";
    }
    out << ".B " << roff_escape(setting.paths[i]) << "\n";
  }
  std::string text = setting.doc;
  if (!text.empty() && text.back() != '.') {
    text += '.';
  }
  out << roff_paragraph(text) << "\n";
  out << ".br\n" << roff_paragraph("Type: " + setting.type + ".") << "\n";
  if (!setting.default_value.empty()) {
    out << ".br\n" << roff_paragraph("Default: " + setting.default_value + ".") << "\n";
  }
  if (!setting.env.empty()) {
    out << ".br\n" << roff_paragraph("Environment: " + join(setting.env, ", ") + ".") << "\n";
  }
  std::string notes;
  if (setting.secret) {
    notes += "Secret: shown as <redacted>, never logged or quoted in messages. ";
  }
  notes += setting.reloadable ? "Applied on reload (SIGHUP)." : "Needs a restart to change.";
  out << ".br\n" << roff_paragraph(notes) << "\n";
}

// How a source gets its body (url or command), revalidation and values.
void write_sources_section(std::ostream& out) {
  out << ".SH SOURCES\n"
      << ".TP\n.B url\n"
      << roff_paragraph(
             "An HTTP or HTTPS upstream. When it answers with an ETag or Last-Modified "
             "header, the next refresh sends If-None-Match / If-Modified-Since (unless "
             "revalidate is false); a 304 Not Modified renews the cached value (fresh again for "
             "ttl, Age restarts) without downloading the body, keeps the ETag clients see, "
             "emits no source.updated event and counts as outcome=\"not_modified\" in "
             "homectl_source_requests_total. The validators travel with the Redis entry, so "
             "another instance or a restarted one revalidates too. A 304 to a request without "
             "validators is a failed refresh (reason protocol). "
             "homectl_source_upstream_bytes_total counts the body bytes received.")
      << "\n.TP\n.B command\n"
      << roff_paragraph(
             "A program whose standard output is the body, for state only a program can read "
             "(smartctl -j, sensors -j, upsc, zpool status -j). The first item is an absolute "
             "path; it runs without a shell, in /, with standard input from /dev/null, file "
             "descriptors 0 to 2 only, in its own process group, and an environment of "
             "PATH=/usr/bin:/bin and LANG=C.UTF-8 plus env. Output over max_size kills it "
             "(reason too_large); timeout kills its whole process group (reason timeout); a "
             "non-zero exit status is a failed refresh (reason exit_status) whose error names "
             "the status and the first line of standard error; a program that cannot be "
             "started fails with reason spawn. The body is application/json when it parses "
             "as JSON, else text/plain; charset=utf-8, unless content_type says otherwise. "
             "Commands count against the same outbound cap as HTTP requests; retries, the "
             "breaker, stale-while-revalidate, stale-if-error, pick, values and events apply "
             "as to URLs. /v1/sources shows the program, never its arguments or env.")
      << "\n.TP\n.B values\n"
      << roff_paragraph(
             "Numbers read from each new body after pick, by JSON Pointer, e.g. "
             "{\"temperature\": \"/current/temperature_2m\"}. Names match "
             "[a-z_][a-z0-9_]*; at most 32 per source. A JSON number is taken as it is, a "
             "boolean as 1 or 0, a string holding a decimal number (\"21.5\") as that number. "
             "/metrics exposes each as homectl_source_value{source,value} while the source's "
             "value is servable, and /v1/sources lists them under \"values\"; anything else is "
             "skipped, counted in homectl_source_value_errors_total{source,value} and logged "
             "once per change of cause. pick turns the body into an object keyed by the picked "
             "pointers, so with \"pick\": [\"/current\"] the temperature is at "
             "\"/~1current/temperature_2m\" (RFC 6901 writes / in a key as ~1). An entry may "
             "also be an object, {\"pointer\": \"/apower\", \"unit\": \"W\", "
             "\"device_class\": \"power\", \"state_class\": \"measurement\"}: pointer is required; "
             "unit (1 to 16 bytes, no control "
             "characters), device_class and state_class (1 to 32 of a-z and _) are optional and "
             "tell Home Assistant how to show the value (MQTT discovery).")
      << "\n.TP\n.B mqtt\n"
      << roff_paragraph(
             "With mqtt.url set, homectl connects to that broker (reconnecting with jittered "
             "backoff; a broker that is away never fails a read) and publishes, under "
             "mqtt.prefix: {prefix}/status (online, retained; offline on shutdown and as the "
             "last will), {prefix}/sources/<name>/state (retained, when the state, a value or "
             "the error changes: {\"state\":\"fresh|stale|error|empty\",\"values\":{...},"
             "\"updated\":\"<RFC 3339>\",\"error\":null|\"<message>\"}), {prefix}/events "
             "(the events of /v1/events) and {prefix}/ready (readiness, retained). A message "
             "on {prefix}/sources/<name>/refresh (at most 1 KiB) starts a refresh under "
             "limits.refresh, counted as one client. With mqtt.discovery, Home Assistant "
             "discovery configs (retained) under mqtt.discovery_prefix announce one device "
             "with a sensor per value, a problem binary_sensor and a refresh button per source "
             "and a readiness binary_sensor; they are sent again when Home Assistant publishes "
             "online on {discovery_prefix}/status and after a reload, and an empty retained "
             "config removes an entity whose source or value is gone (at the next connect for "
             "one removed while homectl was stopped). /ready and /health "
             "report mqtt:connection (fail while disconnected with mqtt.required, else warn).")
      << "\n";
}

} // namespace

std::string homectl_json_5(std::span<const SettingDoc> settings, const ManualInfo& info) {
  std::ostringstream out;
  out << ".\\\" Generated by `homectl docs man5` from the settings table; do not edit.\n"
      << ".TH HOMECTL.JSON 5 " << info.date << " " << roff_argument("homectl " + info.version)
      << " " << roff_argument("homectl manual") << "\n"
      << ".nh\n.ad l\n"
      << ".SH NAME\n"
      << "homectl.json \\- configuration file of homectl\n"
      << ".SH SYNOPSIS\n"
      << ".I ./homectl.json\n.br\n"
      << ".I $XDG_CONFIG_HOME/homectl/homectl.json\n.br\n"
      << ".I /etc/homectl/homectl.json\n"
      << ".SH DESCRIPTION\n"
      << roff_paragraph(
             "homectl(1) reads one JSON file, which may hold // and /* */ comments. The file "
             "is the one given with --config or HOMECTL_CONFIG, else the first of the paths "
             "in the synopsis that exists; with none, the built-in defaults apply (listen on "
             "127.0.0.1:8080, no Redis, no sources), so no file is needed to start.")
      << "\n.PP\n"
      << roff_paragraph(
             "Every setting can also be given in the environment: the variable is HOMECTL_ "
             "followed by the setting's path in upper case with dots and dashes turned into "
             "underscores (server.listen is HOMECTL_SERVER_LISTEN). Command line flags win over "
             "the environment, the environment over the file, the file over the defaults. "
             "Inside string values ${NAME} is replaced by the environment variable NAME, which "
             "keeps secrets out of the file; an unset variable is an error that names it.")
      << "\n.PP\n"
      << roff_paragraph(
             "homectl config validate reports every problem at once, each with the file, line "
             "and column (or the variable) it came from, and suggests the nearest key for an "
             "unknown one. homectl serve refuses an invalid file with exit status 78; on "
             "SIGHUP it re-reads the file and applies a valid one atomically, keeping the old "
             "configuration when the new one is invalid. Settings marked below as needing a "
             "restart keep their old value until then.")
      << "\n.SH VALUE SYNTAX\n"
      << ".TP\n.B Durations\n"
      << roff_paragraph("A number and a unit, or several: 250ms, 5s, 15m, 1h30m, 2d. Units: ms, "
                        "s, m, h, d.")
      << "\n.TP\n.B Sizes\n"
      << roff_paragraph("Bytes as a number (512) or a string with a unit (B, KB, MB, GB, KiB, MiB, "
                        "GiB): 64KiB, 10MB. "
                        "KB, MB, GB are powers of 1000; KiB, MiB, GiB powers of 1024.")
      << "\n.TP\n.B Rates\n"
      << roff_paragraph("A count per unit of time (s, m, h or d): 20/s, 60/m, 1000/h. A rate "
                        "limit that is "
                        "absent or \"off\" means unlimited.")
      << "\n.TP\n.B off\n"
      << roff_paragraph("refresh accepts \"off\": the source is fetched on demand only, never "
                        "ahead of time. remind_every accepts \"off\" too.")
      << "\n.TP\n.B Secrets\n"
      << roff_paragraph("Settings marked secret are shown as \"<redacted>\" by homectl config "
                        "show and /diagnostics and never appear in logs or error messages. "
                        "URLs are shown one way everywhere: user:password@ as <redacted>@, "
                        "every query value and a fragment as <redacted>; a notifier URL also "
                        "loses its path (a webhook id or a topic is a credential).")
      << "\n.SH SETTINGS\n"
      << roff_paragraph("Each setting with what it does, its type, its default and its "
                        "environment variable. In sources.<name>, <name> is the source's name "
                        "([a-z0-9][a-z0-9_-]{0,63}); in the environment it is written in upper "
                        "case with dashes as underscores. A source inherits every fetch policy "
                        "setting it does not set from defaults.")
      << "\n";
  std::string group;
  for (const auto& setting : settings) {
    if (setting.group != group) {
      group = setting.group;
      out << ".SS " << roff_argument(group) << "\n";
    }
    write_setting(out, setting);
  }
  write_sources_section(out);
  out << ".SH SECURITY\n"
      << roff_paragraph(
             "The API is reachable by any web browser on the machine or the network, so it "
             "checks what a page could make a browser send. A request whose Host header is not "
             "an IP address, localhost, this machine's host name (alone or as <name>.local) or "
             "a name in server.allowed_hosts is answered 421 Misdirected Request: a page cannot "
             "read the API through DNS rebinding. List the names you use in URLs, e.g. "
             "[\"nas.lan\"]; [\"*\"] turns the check off (behind a reverse proxy that checks "
             "names itself).")
      << "\n.PP\n"
      << roff_paragraph(
             "A POST whose Origin header is not the origin its Host names, or that carries "
             "Sec-Fetch-Site: cross-site, is answered 403 Forbidden, with or without "
             "server.api_token: a page on another site cannot start refreshes. curl, scripts "
             "and Home Assistant send neither header and are not affected.")
      << "\n.PP\n"
      << roff_paragraph(
             "Every answer of /v1/sources/<name> carries X-Content-Type-Options: nosniff and "
             "Content-Security-Policy: sandbox, so an upstream body is never run as a page on "
             "the status page's origin.")
      << "\n.PP\n"
      << roff_paragraph(
             "A request may take at most server.max_header_size + server.max_body_size + 4096 "
             "bytes on the wire, chunk framing and trailers included (else 431 or 413, and the "
             "connection closes); Transfer-Encoding other than chunked, and an HTTP/1.1 request "
             "without exactly one Host header, are answered 400.")
      << "\n.PP\n"
      << roff_paragraph(
             "The limits.* rates are per client: an IPv4 address (also when it arrives as "
             "::ffff:a.b.c.d) or an IPv6 /64, the block one network gets, so the devices of a "
             "home behind one IPv6 prefix share a budget and more addresses from one /64 do not "
             "buy more requests. The last 65536 clients seen are tracked; a new one beyond that "
             "makes the least recently seen start afresh.")
      << "\n";
  out << ".SH EXAMPLES\n"
      << roff_paragraph("A file with three sources (one a command), Redis and notifications:")
      << "\n"
      << ".PP\n.RS 4\n.EX\n"
      << roff_escape(k_example) << "\n.EE\n.RE\n"
      << ".PP\n"
      << roff_paragraph("The same listen address and token from the environment, e.g. in "
                        "/etc/homectl/homectl.env:")
      << "\n.PP\n.RS 4\n.EX\n"
      << roff_escape("HOMECTL_SERVER_LISTEN=0.0.0.0:8080\nHOMECTL_SERVER_API_TOKEN=change-me")
      << "\n.EE\n.RE\n"
      << ".SH FILES\n"
      << ".TP\n.I /etc/homectl/homectl.json\n"
      << roff_paragraph("The system-wide configuration file.") << "\n"
      << ".TP\n.I /etc/homectl/homectl.env\n"
      << roff_paragraph("Environment file read by the systemd units.") << "\n"
      << ".SH SEE ALSO\n"
      << ".BR homectl (1)\n";
  return out.str();
}

} // namespace homectl::docs
