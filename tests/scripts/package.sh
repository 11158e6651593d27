#!/usr/bin/env bash
# `make package` builds a Debian package that dpkg-deb and lintian accept: the
# file list, the conffile, the maintainer scripts (daemon-reload only, nothing
# without systemd), and the extracted binary runs and validates the shipped
# configuration.
set -uo pipefail
homectl=$1 src=$2
build=$(dirname "$homectl")
for tool in cpack dpkg-deb dpkg-shlibdeps lintian; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is missing (scripts/install-deps.sh --package)"
    exit 77
  fi
done
if [[ ! -f $build/CPackConfig.cmake ]]; then
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

if ! cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  echo "FAIL: cpack did not build the package"
  exit 1
fi
version=$("$homectl" version --json | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
deb=$work/out/homectl_${version}_$(dpkg --print-architecture).deb
if [[ ! -f $deb ]]; then
  ls "$work/out"
  echo "FAIL: no $(basename "$deb")"
  exit 1
fi

# The file list: paths, modes, owners.
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$work/files"
expect() { # mode path
  grep -qxF -e "$1 root/root ./$2" "$work/files" || fail "the package lacks $2 with mode $1"
}
expect -rwxr-xr-x usr/bin/homectl
expect -rw-r--r-- usr/share/man/man1/homectl.1.gz
expect -rw-r--r-- usr/share/man/man5/homectl.json.5.gz
expect -rw-r--r-- usr/share/bash-completion/completions/homectl
expect -rw-r--r-- usr/share/zsh/vendor-completions/_homectl
expect -rw-r--r-- usr/share/fish/vendor_completions.d/homectl.fish
expect -rw-r--r-- lib/systemd/system/homectl.service
expect -rw-r--r-- lib/systemd/system/homectl-watchdog.service
expect -rw-r--r-- lib/systemd/system/homectl-watchdog.timer
expect -rw-r--r-- etc/homectl/homectl.json
expect -rw-r--r-- usr/share/homectl/homectl.schema.json
expect -rw-r--r-- usr/share/doc/homectl/homectl.json
expect -rw-r--r-- usr/share/doc/homectl/.env.sample
expect -rw-r--r-- usr/share/doc/homectl/copyright
expect -rw-r--r-- usr/share/doc/homectl/changelog.gz
if grep -q "usr/local" "$work/files"; then fail "the package installs under /usr/local"; fi

# Control: the dependencies come from dpkg-shlibdeps; one conffile.
dpkg-deb -f "$deb" Package Version Depends >"$work/control"
grep -qx "Package: homectl" "$work/control" || fail "Package is not homectl"
grep -qx "Version: $version" "$work/control" || fail "Version is not $version"
for lib in libc6 libssl3 libhiredis; do
  grep -q "^Depends:.*$lib" "$work/control" || fail "Depends lacks $lib: $(cat "$work/control")"
done
dpkg-deb -e "$deb" "$work/DEBIAN"
[[ $(cat "$work/DEBIAN/conffiles") == /etc/homectl/homectl.json ]] ||
  fail "conffiles is not /etc/homectl/homectl.json: $(cat "$work/DEBIAN/conffiles")"

# The maintainer scripts call systemctl for daemon-reload and nothing else,
# and not at all when systemd is not running.
mkdir -p "$work/fakebin"
printf '#!/bin/sh\necho "$*" >>%q\n' "$work/systemctl.calls" >"$work/fakebin/systemctl"
chmod +x "$work/fakebin/systemctl"
for script in postinst postrm; do
  [[ -x $work/DEBIAN/$script ]] || fail "$script is missing or not executable"
  grep -v '^#' "$work/DEBIAN/$script" | grep -o 'systemctl.*' | grep -v 'daemon-reload' &&
    fail "$script runs systemctl for something other than daemon-reload"
  rm -f "$work/systemctl.calls"
  arg=configure
  [[ $script == postrm ]] && arg=remove
  PATH=$work/fakebin:$PATH sh "$work/DEBIAN/$script" "$arg" || fail "$script $arg failed"
  if [[ -d /run/systemd/system ]]; then
    [[ $(cat "$work/systemctl.calls" 2>/dev/null) == "--system daemon-reload" ]] ||
      fail "$script did not run only systemctl daemon-reload"
  else
    [[ ! -e $work/systemctl.calls ]] || fail "$script ran systemctl without systemd: $(cat "$work/systemctl.calls")"
  fi
done

# lintian: no errors. Warnings and the reasons they stay are listed in README.
lintian --no-tag-display-limit "$deb" >"$work/lintian" 2>&1
if grep -q '^E:' "$work/lintian"; then
  fail "lintian reports errors:"
  grep '^E:' "$work/lintian"
fi
grep '^W:' "$work/lintian" | sed 's/^/lintian: /'

# The extracted package works: version, its units, its own configuration.
dpkg-deb -x "$deb" "$work/root"
bin=$work/root/usr/bin/homectl
[[ $("$bin" version) == $("$bin" --version) ]] || fail "homectl --version differs from homectl version"
"$bin" version | grep -q "^homectl $version " || fail "the packaged binary is not version $version: $("$bin" version)"
grep -qxF "ExecStart=/usr/bin/homectl serve" "$work/root/lib/systemd/system/homectl.service" ||
  fail "homectl.service does not run /usr/bin/homectl serve"
grep -qxF "ExecStart=/usr/bin/homectl watchdog --once" "$work/root/lib/systemd/system/homectl-watchdog.service" ||
  fail "homectl-watchdog.service does not run /usr/bin/homectl watchdog --once"
config=$work/root/etc/homectl/homectl.json
grep -qF '"$schema": "file:///usr/share/homectl/homectl.schema.json"' "$config" ||
  fail "the shipped configuration does not name the installed schema"
"$bin" config validate --config "$config" >"$work/validate" 2>&1 ||
  fail "homectl config validate rejects the shipped configuration: $(cat "$work/validate")"
cmp -s <("$bin" config schema) "$work/root/usr/share/homectl/homectl.schema.json" ||
  fail "the shipped schema is not the one the binary prints"
cmp -s "$src/examples/homectl.json" "$work/root/usr/share/doc/homectl/homectl.json" ||
  fail "the shipped example differs from examples/homectl.json"
gzip -dc "$work/root/usr/share/doc/homectl/changelog.gz" | head -1 | grep -q "^homectl ($version) " ||
  fail "the changelog's first entry is not version $version"

[[ $failures -eq 0 ]] && echo "package: $(basename "$deb") builds, lintian has no errors, the extracted binary validates its configuration"
exit $((failures > 0))
