#!/usr/bin/env bash
# contrib/home-assistant/homectl.yaml against the real daemon: the YAML
# loads, every resource is a route homectl serves, every source it names is
# one examples/homectl.json defines, and every value_template, rendered
# with Jinja2 (the engine Home Assistant uses) over the daemon's actual
# answer, gives a value. Skipped (77) without python3's yaml and jinja2.
set -euo pipefail
homectl=$1 src=$2
python3 -c 'import yaml, jinja2' 2>/dev/null || { echo "skip: python3 yaml/jinja2 missing"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Upstreams shaped like the example's: Open-Meteo's current weather and a
# Shelly plug's Switch.GetStatus.
mkdir -p "$work/up/v1" "$work/up/rpc"
cat >"$work/up/v1/forecast" <<'JSON'
{"latitude":52.52,"longitude":13.41,"current_units":{"temperature_2m":"°C"},
 "current":{"time":"2026-12-07T10:00","interval":900,"temperature_2m":3.4}}
JSON
cat >"$work/up/rpc/Switch.GetStatus" <<'JSON'
{"id":0,"source":"init","output":true,"apower":12.5,"voltage":231.2,"current":0.08,
 "aenergy":{"total":1234.5,"by_minute":[0,0,0]},"temperature":{"tC":31.0}}
JSON
up_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work/up" && exec python3 -m http.server "$up_port" --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The example's sources, their upstreams moved to the fake ones.
HOME_API_TOKEN=t NTFY_TOKEN=n "$homectl" config show --config "$src/examples/homectl.json" >"$work/example.json"
python3 - "$work/example.json" "$work/homectl.json" "$port" "$up_port" <<'PY'
import json, sys
example = json.load(open(sys.argv[1]))
port, up = sys.argv[3], sys.argv[4]
urls = {"weather": f"http://127.0.0.1:{up}/v1/forecast", "plug": f"http://127.0.0.1:{up}/rpc/Switch.GetStatus"}
sources = {}
for name, source in example["sources"].items():
    sources[name] = {"url": urls[name], "pick": source.get("pick", []), "ttl": "1m", "retries": 0}
json.dump({"server": {"listen": f"127.0.0.1:{port}"}, "log": {"level": "warn"}, "sources": sources},
          open(sys.argv[2], "w"))
PY
"$homectl" serve --config "$work/homectl.json" >"$work/daemon.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/live" >/dev/null 2>&1 && break
  sleep 0.1
done

python3 - "$src/contrib/home-assistant/homectl.yaml" "$work/example.json" "$port" <<'PY'
import json, sys, urllib.request, urllib.error, re
import yaml, jinja2

class Loader(yaml.SafeLoader):
    pass
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !secret, !include
doc = yaml.load(open(sys.argv[1]), Loader=Loader)
example = json.load(open(sys.argv[2]))
port = sys.argv[3]
failures = []
env = jinja2.Environment(undefined=jinja2.StrictUndefined)

def fetch(path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

entries = doc.get("rest") or []
if not entries:
    failures.append("no rest: entries")
rendered = 0
for entry in entries:
    m = re.fullmatch(r"http://127\.0\.0\.1:8080(/v1/sources/([a-z0-9_-]+)|/ready|/health)", entry["resource"])
    if not m:
        failures.append(f"{entry['resource']}: not a homectl route on the example's listen address")
        continue
    path, source = m.group(1), m.group(2)
    if source and source not in example["sources"]:
        failures.append(f"{entry['resource']}: no source {source!r} in examples/homectl.json")
        continue
    status, body = fetch(path)
    if source and status != 200:
        failures.append(f"{path}: status {status}: {body}")
        continue
    value_json = json.loads(body)
    for kind in ("sensor", "binary_sensor"):
        for sensor in entry.get(kind) or []:
            try:
                value = env.from_string(sensor["value_template"]).render(value_json=value_json).strip()
            except jinja2.exceptions.UndefinedError as e:
                failures.append(f"{sensor['name']}: {e} in {sensor['value_template']} over {body}")
                continue
            if value in ("", "None"):
                failures.append(f"{sensor['name']}: empty value from {sensor['value_template']}")
            rendered += 1
            print(f"{sensor['name']}: {value}")
if rendered < 5:
    failures.append(f"only {rendered} templates rendered")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
