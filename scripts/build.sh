#!/usr/bin/env bash
# Compiles apps, libs and tests to OUT (default dist) and rewrites @pacs/* imports to relative paths.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-dist}"
npx tsc -p tsconfig.json --outDir "$OUT" --tsBuildInfoFile "$OUT/.tsbuildinfo"
npx tsc-alias -p tsconfig.json --outDir "$OUT"
