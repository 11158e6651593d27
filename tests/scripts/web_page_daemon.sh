#!/usr/bin/env bash
# The status page in a real chromium against the real `homectl serve` with fake
# upstreams: sources and states, live updates without reload, upstream errors,
# the refresh button, server.ui=false. Screenshots (desktop, phone) go to
# <build>/artifacts/web/. Set HOMECTL_DOCS_SCREENSHOT=docs/status-page.png to
# refresh the README's picture.
# Usage: web_page_daemon.sh <homectl-binary> <source-dir>; exit 77 = skipped.
set -euo pipefail
binary=$1
src=$2
source "$src/tests/browser/setup.sh"
ensure_browser_deps "$src/tests/browser" || exit $?
export HOMECTL_ARTIFACTS="${HOMECTL_ARTIFACTS:-$(cd "$(dirname "$binary")" && pwd)/artifacts/web}"
exec node "$src/tests/browser/page_daemon.test.mjs" "$binary"
