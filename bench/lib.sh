# Shared setup for the bench scripts (sourced, not run): tool checks, a work
# directory with background processes cleaned up on exit, free ports, waiting
# for a URL to answer.

# bench_require TOOL... — exit 77 (skipped) when one is missing.
bench_require() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
      echo "bench: '$tool' is not installed (see scripts/install-deps.sh --bench)" >&2
      exit 77
    fi
  done
  [ -x "$HOMECTL" ] || { echo "bench: no homectl binary at $HOMECTL (run 'make build')" >&2; exit 1; }
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_url URL [TRIES] — polls every 50 ms until the URL answers 2xx.
wait_url() {
  local tries=${2:-200}
  for _ in $(seq 1 "$tries"); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "bench: $1 did not answer" >&2
  return 1
}
