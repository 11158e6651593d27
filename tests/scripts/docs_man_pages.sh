#!/usr/bin/env bash
# The checked-in man pages: equal to what the binary generates, lint-clean,
# and complete: every subcommand and option (read from --help), every setting
# (read from `config schema`) and every environment variable (from `config
# env`) appears; the examples name real options and the example file is valid.
set -uo pipefail
homectl=$1 src=$2
man1=$src/man/homectl.1 man5=$src/man/homectl.json.5
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Drift.
for pair in man1:homectl.1 man5:homectl.json.5; do
  page=${pair%%:*} file=${pair#*:}
  if ! "$homectl" docs "$page" >"$work/$file" || ! diff -u "$src/man/$file" "$work/$file"; then
    fail "man/$file is out of date; run: build/homectl docs $page > man/$file" \
      "(or scripts/generate-docs.sh build/homectl)"
  fi
done

# 2. Lint.
if command -v mandoc >/dev/null; then
  out=$(mandoc -Tlint "$man1" "$man5" 2>&1)
  [[ -z $out ]] || fail "mandoc -Tlint complains:"$'\n'"$out"
elif command -v groff >/dev/null; then
  out=$(groff -ww -z -man "$man1" "$man5" 2>&1)
  [[ -z $out ]] || fail "groff -ww complains:"$'\n'"$out"
else
  echo "note: neither mandoc nor groff is installed; lint skipped"
fi

# 3. Every visible subcommand and option, as --help lists them.
# Prints the subcommand names of the help text on stdin.
subcommands_of() { sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'; }
# Prints the long options of the help text on stdin.
options_of() { sed -n '/^Options:/,/^$/p' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }
# Writes "path" lines for the whole command tree, depth first.
walk() {
  local path=$1 sub
  echo "$path"
  # shellcheck disable=SC2086
  for sub in $("$homectl" $path --help 2>/dev/null | subcommands_of); do
    walk "${path:+$path }$sub"
  done
}
paths=$(walk "")
commands=0
while IFS= read -r path; do
  [[ -z $path ]] && continue
  commands=$((commands + 1))
  # The man page writes hyphens as \- in headings.
  heading=".SS \"homectl ${path//-/\\-}"
  grep -qF -- "$heading" "$man1" || fail "homectl.1 has no section for 'homectl $path'"
  # shellcheck disable=SC2086
  for option in $("$homectl" $path --help | options_of); do
    grep -qF -- "${option//-/\\-}" "$man1" || fail "homectl.1 does not mention $option of '$path'"
  done
done <<<"$paths"
[[ $commands -ge 3 ]] || fail "found only $commands commands in --help; the walk is broken"
echo "man: $commands commands checked against --help"

# 4. Every setting in homectl.json.5 and every environment variable in homectl.1.
if command -v python3 >/dev/null; then
  "$homectl" config schema >"$work/schema.json" || fail "homectl config schema failed"
  python3 - "$work/schema.json" >"$work/settings.txt" <<'PY' || fail "could not read the schema"
import json, sys
schema = json.load(open(sys.argv[1]))
defs = schema.get("$defs", {})
def resolve(node):
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    return node
def walk(node, path):
    node = resolve(node)
    if node.get("type") == "object" and ("properties" in node or "patternProperties" in node):
        for key, child in node.get("properties", {}).items():
            if key != "$schema":
                walk(child, f"{path}.{key}" if path else key)
        for child in node.get("patternProperties", {}).values():
            walk(child, f"{path}.<name>")
    elif node.get("type") == "array" and resolve(node.get("items", {})).get("type") == "object":
        walk(node["items"], path + "[]")
    else:
        print(path)
walk(schema, "")
PY
  count=0
  while IFS= read -r setting; do
    count=$((count + 1))
    grep -qxF ".B $setting" "$man5" || fail "homectl.json.5 does not document $setting"
  done <"$work/settings.txt"
  [[ $count -ge 20 ]] || fail "found only $count settings in the schema; the walk is broken"
  echo "man: $count settings from the schema checked"
else
  echo "note: python3 is not installed; the schema walk is skipped"
fi
variables=0
for variable in $("$homectl" config env | sed -n 's/^# \(HOMECTL_[A-Z0-9_<>]*\)=.*/\1/p'); do
  variables=$((variables + 1))
  grep -qxF ".B $variable" "$man1" || fail "homectl.1 ENVIRONMENT lacks $variable"
done
[[ $variables -ge 20 ]] || fail "found only $variables variables in config env"
echo "man: $variables environment variables checked"
for code in 0 1 64; do
  grep -qx "$code" "$man1" || fail "homectl.1 EXIT STATUS lacks $code"
done
if grep -qx 'homectl serve' <<<"$paths"; then
  grep -qx 78 "$man1" || fail "homectl.1 EXIT STATUS lacks 78"
fi
if grep -qx 'check-ready' <<<"$paths"; then
  grep -q 'Nagios' "$man1" || fail "homectl.1 lacks check-ready's exit codes"
fi

# 5. Examples: every "homectl ..." line names real commands and options.
sed -n '/^\.EX$/,/^\.EE$/p' "$man1" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g' |
  grep -o 'homectl [^|;&>]*' >"$work/examples.txt"
while IFS= read -r line; do
  read -ra words <<<"$line"
  path=""
  for word in "${words[@]:1}"; do
    [[ $word == -* ]] && break
    if "$homectl" ${path:+$path} --help 2>/dev/null | subcommands_of | grep -qxF -- "$word"; then
      path="${path:+$path }$word"
    else
      break
    fi
  done
  # shellcheck disable=SC2086
  known=$("$homectl" $path --help | options_of; "$homectl" --help | options_of)
  for word in "${words[@]:1}"; do
    [[ $word == --* ]] || continue
    grep -qxF -- "${word%%=*}" <<<"$known" || fail "example '$line' uses unknown option ${word%%=*}"
  done
done <"$work/examples.txt"
echo "man: $(wc -l <"$work/examples.txt") example command lines checked"

# 6. The example configuration in homectl.json.5 is valid.
sed -n '/^\.EX$/,/^\.EE$/p' "$man5" | sed -e '1d' -e 's/\\-/-/g' -e 's/\\e/\\/g' |
  sed '/^\.EE$/q' | sed '$d' >"$work/example.json"
if ! HOME_API_TOKEN=x NTFY_TOKEN=y "$homectl" config validate "$work/example.json" >"$work/validate.txt" 2>&1; then
  cat "$work/validate.txt"
  fail "the example configuration in homectl.json.5 does not validate"
fi

[[ $failures -eq 0 ]] && echo "man: all checks pass"
exit $((failures > 0))
