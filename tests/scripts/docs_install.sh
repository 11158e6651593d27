#!/usr/bin/env bash
# `cmake --install` (what `make install` runs) puts the binary, both man pages,
# the three completion scripts and the systemd units where they belong, with
# ExecStart= rewritten for the prefix.
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

for prefix in /usr/local /usr; do
  dest=$work/root$prefix
  if ! DESTDIR=$work/root cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1; then
    cat "$work/install.log"
    fail "cmake --install --prefix $prefix failed"
    continue
  fi
  if [[ $prefix == /usr ]]; then zsh_dir=share/zsh/vendor-completions; else zsh_dir=share/zsh/site-functions; fi
  for file in bin/homectl share/man/man1/homectl.1 share/man/man5/homectl.json.5 \
    share/bash-completion/completions/homectl "$zsh_dir/_homectl" \
    share/fish/vendor_completions.d/homectl.fish lib/systemd/system/homectl.service \
    lib/systemd/system/homectl-watchdog.service lib/systemd/system/homectl-watchdog.timer; do
    [[ -f $dest/$file ]] || fail "prefix $prefix: $file was not installed"
  done
  cmp -s "$src/man/homectl.1" "$dest/share/man/man1/homectl.1" ||
    fail "prefix $prefix: the installed homectl.1 differs from man/homectl.1"
  grep -qxF "ExecStart=$prefix/bin/homectl serve" "$dest/lib/systemd/system/homectl.service" ||
    fail "prefix $prefix: homectl.service does not run $prefix/bin/homectl"
  grep -qxF "ExecStart=$prefix/bin/homectl watchdog --once" \
    "$dest/lib/systemd/system/homectl-watchdog.service" ||
    fail "prefix $prefix: homectl-watchdog.service does not run $prefix/bin/homectl"
  rm -rf "$work/root"
done
[[ $failures -eq 0 ]] && echo "install: binary, man pages, completions and units installed for /usr/local and /usr"
exit $((failures > 0))
