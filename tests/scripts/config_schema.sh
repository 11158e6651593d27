#!/usr/bin/env bash
# `homectl config schema` is a valid JSON Schema 2020-12 that accepts the shipped
# example, rejects typical mistakes; `config env` matches the checked-in .env.sample.
set -euo pipefail
bin=$1
src=$2
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
python3 -c 'import jsonschema' 2>/dev/null || {
  echo "SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)"
  exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$bin" config schema > "$tmp/schema.json"
"$bin" config env > "$tmp/env.sample"
diff -u "$src/.env.sample" "$tmp/env.sample" || {
  echo "FAIL: .env.sample drifted; regenerate: homectl config env > .env.sample" >&2
  exit 1
}

python3 - "$tmp/schema.json" "$src/examples/homectl.json" <<'PY'
import json, sys, copy
import jsonschema

def strip_jsonc(text):
    """Removes // and /* */ comments outside strings, and trailing commas."""
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == '\\':
                out.append(text[i + 1]); i += 2; continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True; out.append(c); i += 1
        elif text.startswith('//', i):
            while i < n and text[i] != '\n':
                i += 1
        elif text.startswith('/*', i):
            i = text.index('*/', i) + 2
        else:
            out.append(c); i += 1
    import re
    return re.sub(r',(\s*[}\]])', r'\1', ''.join(out))

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
example = json.loads(strip_jsonc(open(sys.argv[2]).read()))
errors = list(validator.iter_errors(example))
assert not errors, [e.message for e in errors]

def rejects(mutate, what):
    doc = copy.deepcopy(example)
    mutate(doc)
    assert list(validator.iter_errors(doc)), "schema accepted " + what

rejects(lambda d: d["server"].update(listn="x"), "an unknown key")
rejects(lambda d: d["sources"]["weather"].update(ttl="abc"), "a bad duration")
rejects(lambda d: d["sources"].update(Bad={"url": "http://x/"}), "a bad source name")
rejects(lambda d: d["server"].update(threads=65), "threads out of range")
rejects(lambda d: d["limits"]["refresh"].update(rate="5 per second"), "a bad rate")
rejects(lambda d: d["watchdog"]["notify"].append({"url": "http://x/"}), "a notifier without type")
rejects(lambda d: d["sources"]["plug"].pop("url"), "a source without url")
print("config_schema: ok")
PY
