#!/usr/bin/env bash
# scripts/install-deps.sh installs by purpose: building and running need no
# test tools; --test adds them; an unknown option is a usage error.
set -euo pipefail
src=$2
deps=$src/scripts/install-deps.sh
fail() { echo "FAIL: $*" >&2; exit 1; }

base=$(bash "$deps" --list)
for p in g++ cmake libboost1.81-dev libssl-dev libhiredis-dev libspdlog-dev libcli11-dev libmosquitto-dev; do
  grep -qx -- "$p" <<<"$base" || fail "building needs $p, the default list lacks it"
done
for p in libgtest-dev redis-server mosquitto mosquitto-clients prometheus clang-tidy zsh fish chromium; do
  ! grep -qx -- "$p" <<<"$base" || fail "$p is a test tool, yet make run would install it"
done

test=$(bash "$deps" --list --test)
for p in libgtest-dev libgmock-dev redis-server mosquitto mosquitto-clients prometheus mandoc python3-yaml python3-jinja2 g++; do
  grep -qx -- "$p" <<<"$test" || fail "--test lacks $p"
done

set +e
out=$(bash "$deps" --frobnicate 2>&1)
rc=$?
set -e
[[ $rc -eq 64 ]] || fail "an unknown option exited $rc, expected 64"
grep -q "unknown option '--frobnicate'" <<<"$out" || fail "the error does not name the option: $out"
echo "install-deps: by purpose"
