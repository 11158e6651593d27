# Sourced by tests/scripts/web_*.sh: makes sure node and the npm packages of
# tests/browser are there (npm ci into tests/browser/node_modules, git-ignored),
# serialised with flock so parallel ctest jobs do not install twice.
# ensure_browser_deps DIR → 0 ready, 77 a tool is missing (message printed), else failure.
ensure_browser_deps() {
  local dir=$1
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "SKIP: the browser test needs node and npm (scripts/install-deps.sh --browser)"
    return 77
  fi
  (
    flock -w 300 9 || { echo "browser test: timed out waiting for another npm install" >&2; exit 1; }
    if [[ ! -f "$dir/node_modules/.package-lock.json" ||
          "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
      echo "browser test: installing npm packages into $dir/node_modules"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
        { echo "browser test: npm ci failed in $dir" >&2; exit 1; }
    fi
  ) 9>"$dir/.npm-install.lock"
}
