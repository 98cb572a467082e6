#!/usr/bin/env bash
# Compiles apps, libs and tests to OUT (default dist) and rewrites @pacs/* imports to relative paths;
# copies each lib's sql/ (PostgreSQL functions and triggers, read by migrations) beside its code.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-dist}"
npx tsc -p tsconfig.json --outDir "$OUT" --tsBuildInfoFile "$OUT/.tsbuildinfo"
npx tsc-alias -p tsconfig.json --outDir "$OUT"
# tsc never deletes what it emitted for a source since removed; a stale spec would still run.
find "$OUT" -name '*.js.map' -print0 | while IFS= read -r -d '' map; do
  js="${map%.map}"; src="${js#"$OUT"/}"; src="${src%.js}.ts"
  [ -e "$src" ] || rm -f "$js" "$map" "${js%.js}.d.ts"
done
for sql in libs/*/sql; do
  rm -rf "${OUT:?}/$sql"
  mkdir -p "$OUT/$sql"
  cp -R "$sql/." "$OUT/$sql/"
done
