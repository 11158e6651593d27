#!/usr/bin/env bash
# The status page's behaviour in a real chromium against a mock daemon whose
# answers the test controls (token prompt, dropped event stream, ...).
# Usage: web_page_mock.sh <homectl-binary> <source-dir>; exit 77 = skipped.
set -euo pipefail
binary=$1
src=$2
source "$src/tests/browser/setup.sh"
ensure_browser_deps "$src/tests/browser" || exit $?
export HOMECTL_ARTIFACTS="${HOMECTL_ARTIFACTS:-$(cd "$(dirname "$binary")" && pwd)/artifacts/web}"
exec node "$src/tests/browser/page_mock.test.mjs"
