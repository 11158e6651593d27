#!/usr/bin/env bash
# Installs the Debian packages homectl needs, by purpose, and only those that
# are missing. Idempotent; says what it installs.
#   scripts/install-deps.sh            what building and running need (make run)
#   scripts/install-deps.sh --test     also the test stack (make test)
#   scripts/install-deps.sh --bench    also the benchmark tools (wrk, nginx, valgrind)
#   scripts/install-deps.sh --browser  also chromium (status page browser test)
#   scripts/install-deps.sh --fuzz     also clang and its libFuzzer runtime
#   scripts/install-deps.sh --package  also what `make package` uses (dpkg-shlibdeps, lintian)
#   scripts/install-deps.sh --list ... prints the packages, installs nothing
set -euo pipefail

packages=(
  g++ cmake make pkg-config ccache
  libboost1.81-dev libssl-dev libcli11-dev libhiredis-dev nlohmann-json3-dev libspdlog-dev
  libmosquitto-dev
)
list=false
for arg in "$@"; do
  case "$arg" in
    --list) list=true ;;
    --test)
      packages+=(libgtest-dev libgmock-dev libcpp-httplib-dev redis-server clang-format clang-tidy
        prometheus mandoc bash-completion zsh fish curl python3 python3-jsonschema python3-yaml
        python3-jinja2 iproute2 dpkg-dev lintian mosquitto mosquitto-clients) ;;
    --bench) packages+=(wrk nginx-light util-linux binutils valgrind curl) ;;
    --browser) packages+=(chromium nodejs npm) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --package) packages+=(dpkg-dev lintian) ;;
    *) echo "install-deps: unknown option '$arg' (use --test, --bench, --browser, --fuzz, --package or --list)" >&2; exit 64 ;;
  esac
done
if $list; then
  printf '%s\n' "${packages[@]}" | sort -u
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] && continue
  # A Node.js from another vendor (e.g. nodesource) ships its own npm and
  # conflicts with Debian's npm package: a working node/npm is good enough.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# prometheus pulls in a service; never start daemons from the installer.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
