#!/usr/bin/env bash
# `homectl config show`: the effective configuration, secrets redacted, with
# --origin naming where each value came from.
set -euo pipefail
bin=$1
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for v in $(env | grep -o '^HOMECTL_[A-Z0-9_]*' || true); do unset "$v"; done

cat > homectl.json <<'JSON'
{
  "server": { "api_token": "${MY_TOKEN}", "threads": 2 },
  "redis": { "url": "redis://:pw-SECRET-2@127.0.0.1:6379/0" },
  "sources": {
    "api": { "url": "https://u:pw-SECRET-3@api.example.com/x?key=SECRET-4",
             "headers": { "X-Api-Key": "SECRET-5" } }
  }
}
JSON
# ./homectl.json is found by the default search.
MY_TOKEN=tok-SECRET-1 HOMECTL_SERVER_THREADS=4 "$bin" config show > show.json
MY_TOKEN=tok-SECRET-1 HOMECTL_SERVER_THREADS=4 "$bin" config show --origin > origin.json
if grep -E 'SECRET' show.json origin.json; then
  echo "FAIL: a secret leaked into config show" >&2
  exit 1
fi
python3 - <<'PY'
import json
show = json.load(open("show.json"))
assert show["server"]["api_token"] == "<redacted>", show["server"]
assert show["server"]["threads"] == 4
assert show["redis"]["url"] == "<redacted>"
assert show["sources"]["api"]["url"] == "https://<redacted>@api.example.com/x?key=<redacted>"
assert show["sources"]["api"]["headers"] == {"X-Api-Key": "<redacted>"}
assert show["sources"]["api"]["ttl"] == "5m"
origin = json.load(open("origin.json"))
assert origin["server"]["threads"] == {"value": 4, "origin": "env HOMECTL_SERVER_THREADS"}, origin["server"]["threads"]
assert origin["server"]["api_token"] == {"value": "<redacted>", "origin": "homectl.json:2:28"}
assert origin["server"]["listen"] == {"value": "127.0.0.1:8080", "origin": "default"}
assert origin["sources"]["api"]["ttl"] == {"value": "5m", "origin": "defaults.ttl"}
PY

# The global flags win over the environment, as for serve: flag > env > file.
MY_TOKEN=t HOMECTL_LOG_LEVEL=debug "$bin" config show --log-level error --origin > flag.json
MY_TOKEN=t HOMECTL_LOG_LEVEL=debug "$bin" --log-level warn config show > flag2.json
python3 - <<'PY'
import json
log = json.load(open("flag.json"))["log"]["level"]
assert log == {"value": "error", "origin": "flag"}, log
assert json.load(open("flag2.json"))["log"]["level"] == "warn"
PY

# An invalid configuration is not shown; the problem is, and the exit code is 1.
set +e
"$bin" config show > out.txt 2> err.txt
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "FAIL: show with unset \${MY_TOKEN} exited $rc" >&2; exit 1; }
grep -qxF 'homectl.json:2:28: server.api_token: environment variable MY_TOKEN is not set (referenced as ${MY_TOKEN})' err.txt \
  || { cat err.txt >&2; echo "FAIL: missing problem line" >&2; exit 1; }
[[ ! -s out.txt ]] || { echo "FAIL: show printed an invalid config" >&2; exit 1; }
echo "config_show: ok"
