#!/usr/bin/env bash
# `homectl config validate`: exit codes and messages for valid, invalid,
# missing, malformed, empty and binary files, and the --json output.
set -euo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Keep the caller's HOMECTL_* variables out of the way.
for v in $(env | grep -o '^HOMECTL_[A-Z0-9_]*' || true); do unset "$v"; done

fail() { echo "FAIL: $*" >&2; exit 1; }

# run EXPECTED_EXIT args... ; leaves stdout in out.txt, stderr in err.txt
run() {
  local expected=$1
  shift
  set +e
  "$bin" "$@" >out.txt 2>err.txt
  local rc=$?
  set -e
  if [[ $rc -ne $expected ]]; then
    echo "--- stdout" >&2; cat out.txt >&2; echo "--- stderr" >&2; cat err.txt >&2
    fail "homectl $* exited $rc, expected $expected"
  fi
}

expect_line() { # FILE TEXT
  grep -qxF -- "$2" "$1" || { cat "$1" >&2; fail "missing line: $2"; }
}

# A valid file.
HOME_API_TOKEN=t NTFY_TOKEN=n run 0 config validate "$src/examples/homectl.json"
expect_line out.txt "$src/examples/homectl.json: ok (2 sources)"
HOME_API_TOKEN=t NTFY_TOKEN=n run 0 -q config validate "$src/examples/homectl.json"
[[ ! -s out.txt && ! -s err.txt ]] || fail "-q printed something"
# The global --config, before or after the subcommand.
HOME_API_TOKEN=t NTFY_TOKEN=n run 0 --config "$src/examples/homectl.json" config validate
HOME_API_TOKEN=t NTFY_TOKEN=n run 0 config validate --config "$src/examples/homectl.json"
HOME_API_TOKEN=t NTFY_TOKEN=n HOMECTL_CONFIG="$src/examples/homectl.json" run 0 config validate

# Five different mistakes, all reported with line:col, exit 1.
cat > five.json <<'JSON'
{
  // five mistakes below
  "server": { "listen": "localhost", "threads": 100 },
  "log": { "levl": "info" },
  "defaults": { "stale_while_revalidate": "2h", "stale_if_error": "1h" },
  "sources": {
    "weather": { "url": "https://api.example.com/", "ttl": "abc" }
  }
}
JSON
run 1 config validate five.json
expect_line err.txt 'five.json:3:25: server.listen: "localhost" is not a listen address: missing port (e.g. 127.0.0.1:8080 or [::1]:8080)'
expect_line err.txt 'five.json:3:49: server.threads: 100 is out of range (1 to 64)'
expect_line err.txt 'five.json:4:12: log.levl: unknown key "levl"; did you mean "level"?'
expect_line err.txt 'five.json:5:67: defaults.stale_if_error: stale_if_error (1h) must be at least stale_while_revalidate (2h): both windows count from expiry'
expect_line err.txt 'five.json:7:60: sources.weather.ttl: "abc" is not a duration (e.g. 30s, 5m)'
expect_line err.txt 'five.json: invalid (5 errors)'
[[ $(wc -l < err.txt) -eq 6 ]] || { cat err.txt >&2; fail "expected exactly 5 problems"; }

# --json: a JSON array with every problem.
run 1 config validate --json five.json
python3 - out.txt <<'PY'
import json, sys
problems = json.load(open(sys.argv[1]))
assert isinstance(problems, list) and len(problems) == 5, problems
first = problems[0]
assert first == {"severity": "error", "file": "five.json", "path": "server.listen", "line": 3,
                 "column": 25, "origin": "",
                 "message": '"localhost" is not a listen address: missing port (e.g. 127.0.0.1:8080 or [::1]:8080)'}, first
assert [p["line"] for p in problems] == [3, 3, 4, 5, 7]
PY
HOME_API_TOKEN=t NTFY_TOKEN=n run 0 config validate --json "$src/examples/homectl.json"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == []' out.txt

# Missing file.
run 1 config validate does-not-exist.json
expect_line err.txt 'cannot read "does-not-exist.json": No such file or directory'
run 1 --config does-not-exist.json config validate

# Malformed JSON: line:col and the offending text.
printf '{\n  "server": {\n    "listen": "127.0.0.1:8080"\n    "threads": 2\n  }\n}\n' > bad.json
run 1 config validate bad.json
expect_line err.txt 'bad.json:4:5: unexpected """: expected "," or "}" after the value of "listen"'

# Empty and binary files.
: > empty.json
run 1 config validate empty.json
expect_line err.txt 'empty.json: the file is empty (expected a JSON object: {...})'
printf '\x7fELF\x02\x01\x01\x00\x00\x00' > binary.json
run 1 config validate binary.json
expect_line err.txt 'binary.json:1:8: the file contains a NUL byte: it looks binary, not JSON text'
printf '{"a": "\xff\xfe"}' > latin.json
run 1 config validate latin.json
expect_line err.txt 'latin.json:1:8: the file is not valid UTF-8 text (bad byte sequence)'
head -c 1100000 /dev/zero | tr '\0' ' ' > huge.json
run 1 config validate huge.json
expect_line err.txt '"huge.json" is too large (more than 1 MiB); is it the right file?'
run 1 config validate /
expect_line err.txt 'cannot read "/": Is a directory'

# Warnings pass unless --strict; env problems name the variable.
printf '{ "server": { "listen": "0.0.0.0:8080" } }\n' > open.json
run 0 config validate open.json
grep -q '^open.json:1:25: server.listen: warning: listening on "0.0.0.0:8080"' err.txt || fail "no warning"
expect_line out.txt 'open.json: ok (0 sources)'
run 1 config validate --strict open.json
HOMECTL_SERVER_LISTN=x run 0 config validate open.json
expect_line err.txt 'HOMECTL_SERVER_LISTN: warning: unknown variable (not a homectl setting); did you mean HOMECTL_SERVER_LISTEN?'
HOMECTL_SERVER_THREADS=abc run 1 config validate open.json
expect_line err.txt 'HOMECTL_SERVER_THREADS: expected a whole number, got "abc"'

# No file anywhere: built-in defaults are valid.
XDG_CONFIG_HOME="$tmp/none" HOME="$tmp/none" run 0 config validate
if [[ ! -e /etc/homectl/homectl.json ]]; then
  expect_line out.txt 'no configuration file, built-in defaults: ok (0 sources)'
fi

# A usage error is 64.
run 64 config validate --no-such-flag five.json
echo "config_validate: ok"
