#!/usr/bin/env bash
# Compiles apps, libs and tests to OUT (default dist) and rewrites @pacs/* imports to relative paths;
# copies each lib's sql/ (PostgreSQL functions and triggers, read by migrations) beside its code,
# and puts the bundled viewer in OUT/viewer.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-dist}"
npx tsc -p tsconfig.json --outDir "$OUT" --tsBuildInfoFile "$OUT/.tsbuildinfo"
npx tsc-alias -p tsconfig.json --outDir "$OUT"
# tsc never deletes what it emitted for a source since removed; a stale spec would still run.
# (OUT/viewer is OHIF's build, with source maps of its own.)
find "$OUT" -path "$OUT/viewer" -prune -o -name '*.js.map' -print0 | while IFS= read -r -d '' map; do
  js="${map%.map}"; src="${js#"$OUT"/}"; src="${src%.js}.ts"
  [ -e "$src" ] || rm -f "$js" "$map" "${js%.js}.d.ts"
done
# The bundled OHIF viewer (served at /viewer/): fetched once into .cache/, linked into OUT.
node scripts/fetch-viewer.mjs "$OUT/viewer"
for sql in libs/*/sql; do
  rm -rf "${OUT:?}/$sql"
  mkdir -p "$OUT/$sql"
  cp -R "$sql/." "$OUT/$sql/"
done
