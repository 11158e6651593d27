#!/usr/bin/env bash
# `cmake --install` (what `make install` and `make package` run) puts the
# binary, both man pages, the three completion scripts, the systemd units, the
# schema, the docs and a starter configuration where they belong, with paths
# rewritten for the prefix, and never overwrites an operator's configuration.
set -uo pipefail
homectl=$1 src=$2
build=$(dirname "$homectl")
if [[ ! -f $build/cmake_install.cmake ]]; then
  echo "SKIP: $build is not a CMake build directory"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

for prefix in /usr/local /usr /opt/homectl; do
  dest=$work/root$prefix
  if ! DESTDIR=$work/root cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    fail "cmake --install --prefix $prefix failed"
    continue
  fi
  if [[ $prefix == /usr ]]; then
    zsh_dir=share/zsh/vendor-completions units=$work/root/lib/systemd/system
  else
    zsh_dir=share/zsh/site-functions units=$dest/lib/systemd/system
  fi
  for file in bin/homectl share/man/man1/homectl.1.gz share/man/man5/homectl.json.5.gz \
    share/bash-completion/completions/homectl "$zsh_dir/_homectl" \
    share/fish/vendor_completions.d/homectl.fish share/homectl/homectl.schema.json \
    share/doc/homectl/homectl.json share/doc/homectl/.env.sample share/doc/homectl/copyright \
    share/doc/homectl/changelog.gz; do
    [[ -f $dest/$file ]] || fail "prefix $prefix: $file was not installed"
  done
  for unit in homectl.service homectl-watchdog.service homectl-watchdog.timer; do
    [[ -f $units/$unit ]] || fail "prefix $prefix: $unit was not installed in $units"
  done
  cmp -s "$src/man/homectl.1" <(gzip -dc "$dest/share/man/man1/homectl.1.gz") ||
    fail "prefix $prefix: the installed homectl.1.gz differs from man/homectl.1"
  cmp -s <("$homectl" config schema) "$dest/share/homectl/homectl.schema.json" ||
    fail "prefix $prefix: the installed schema differs from homectl config schema"
  grep -qxF "ExecStart=$prefix/bin/homectl serve" "$units/homectl.service" ||
    fail "prefix $prefix: homectl.service does not run $prefix/bin/homectl"
  grep -qxF "ExecStart=$prefix/bin/homectl watchdog --once" "$units/homectl-watchdog.service" ||
    fail "prefix $prefix: homectl-watchdog.service does not run $prefix/bin/homectl"
  # /etc/homectl for system prefixes; under the prefix for any other.
  config=$work/root/etc/homectl/homectl.json
  [[ $prefix == /opt/homectl ]] && config=$dest/etc/homectl/homectl.json
  grep -qF "\"\$schema\": \"file://$prefix/share/homectl/homectl.schema.json\"" "$config" ||
    fail "prefix $prefix: $config does not name the installed schema"
  "$homectl" config validate --config "$config" >"$work/validate.log" 2>&1 ||
    fail "prefix $prefix: the installed configuration does not validate: $(cat "$work/validate.log")"

  # Installing again keeps an operator's configuration.
  echo '{"server":{"listen":"127.0.0.1:9999"}}' >"$config"
  DESTDIR=$work/root cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    fail "prefix $prefix: the second install failed"
  grep -q 9999 "$config" || fail "prefix $prefix: a second install overwrote $config"
  rm -rf "$work/root"
done
[[ $failures -eq 0 ]] && echo "install: binary, man pages, completions, units, schema, docs and configuration for /usr/local, /usr and /opt/homectl"
exit $((failures > 0))
