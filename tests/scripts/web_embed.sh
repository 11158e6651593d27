#!/usr/bin/env bash
# cmake/EmbedWeb.cmake: bytes survive the round trip (all 256 values), names map
# to URL paths, ETags are the SHA-256 prefix, and bad input fails with a message
# that names the problem.
# Usage: web_embed.sh <homectl-binary> <source-dir>; exit 77 = skipped.
set -euo pipefail
src=$2
script="$src/cmake/EmbedWeb.cmake"
cxx=${CXX:-g++}
command -v "$cxx" >/dev/null || { echo "SKIP: no C++ compiler ($cxx)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error DIR PATTERN: EmbedWeb.cmake must fail and say PATTERN.
expect_error() {
  local out
  if out=$(cmake -DOUT="$work/out.cpp" -DDIR="$1" -P "$script" 2>&1); then
    fail "EmbedWeb.cmake accepted $1"
  fi
  grep -q -- "$2" <<<"$out" || fail "expected '$2' in: $out"
  echo "ok: rejects $(basename "$1"): $2"
}
mkdir -p "$work/empty" "$work/badname" "$work/emptyfile" "$work/site"
expect_error "$work/missing" "is not a directory"
expect_error "$work/empty" "no files to embed"
printf 'x' >"$work/badname/has space.js"
expect_error "$work/badname" "file names may"
: >"$work/emptyfile/app.js"
expect_error "$work/emptyfile" "is empty"

# Round trip: every byte value, an index, and files that must be skipped.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 3)' >"$work/site/blob.bin"
printf '<!doctype html>\n' >"$work/site/index.html"
printf 'skip me' >"$work/site/.hidden"
printf 'skip me' >"$work/site/app.js~"
cmake -DOUT="$work/site.cpp" -DDIR="$work/site" -P "$script"
cat >"$work/main.cpp" <<'CPP'
#include "embedded_files.hpp"
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
int main(int argc, char** argv) {
  auto files = homectl::web::detail::embedded_files();
  if (files.size() != 2) { std::printf("expected 2 files, got %zu\n", files.size()); return 1; }
  for (const auto& f : files) {
    std::ifstream in(std::string(argv[1]) + "/" + std::string(f.name), std::ios::binary);
    std::string want{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (f.content != want) { std::printf("%s: bytes differ\n", std::string(f.name).c_str()); return 1; }
    std::printf("%s %s %s\n", std::string(f.name).c_str(), std::string(f.path).c_str(),
                std::string(f.etag).c_str());
  }
  return argc == 2 ? 0 : 1;
}
CPP
"$cxx" -std=c++20 -Wall -Wextra -Wpedantic -Werror -I"$src/src/web" -o "$work/check" "$work/main.cpp" "$work/site.cpp"
out=$("$work/check" "$work/site") || fail "round trip: $out"
blob_sha=$(sha256sum "$work/site/blob.bin" | cut -c1-32)
grep -qx "blob.bin /blob.bin \"$blob_sha\"" <<<"$out" || fail "blob entry wrong: $out"
grep -q '^index.html / "' <<<"$out" || fail "index.html must be served at /: $out"
echo "ok: round trip of $(wc -c <"$work/site/blob.bin") bytes, index at /, ETag = SHA-256 prefix"

# Regenerating unchanged input leaves the file untouched (no needless rebuilds).
before=$(stat -c %y "$work/site.cpp")
cmake -DOUT="$work/site.cpp" -DDIR="$work/site" -P "$script"
after=$(stat -c %y "$work/site.cpp")
[[ "$before" == "$after" ]] || fail "unchanged input rewrote the generated file"
echo "ok: unchanged input keeps the generated file"
