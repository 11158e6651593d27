#!/usr/bin/env bash
# Regenerates the checked-in files that come from the CLI and settings
# definitions (completions/, man/, .env.sample) with a built homectl. Run it after changing
# a command, an option or a setting; the docs_* tests fail until you do.
#   scripts/generate-docs.sh [path/to/homectl]    (default: build/homectl)
set -euo pipefail
cd "$(dirname "$0")/.."
homectl=${1:-build/homectl}
if [[ ! -x $homectl ]]; then
  echo "generate-docs: $homectl is not an executable; build first (make build)" >&2
  exit 64
fi
mkdir -p completions man
"$homectl" completion bash >completions/homectl.bash
"$homectl" completion zsh >completions/_homectl
"$homectl" completion fish >completions/homectl.fish
echo "generate-docs: completions/ regenerated"
"$homectl" docs man1 >man/homectl.1
"$homectl" docs man5 >man/homectl.json.5
echo "generate-docs: man/homectl.1 and man/homectl.json.5 regenerated"
"$homectl" config env >.env.sample
echo "generate-docs: .env.sample regenerated"
