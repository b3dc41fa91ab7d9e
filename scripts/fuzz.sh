#!/usr/bin/env bash
# Fuzzes the parsers that take client input, for a bounded time each (not part of the test run):
#   scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]      default 300 s; targets kvp filter cql sld
# A crash stops the script with the offending input left in fuzz-<target>.current.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-300}"; shift || true
targets=("$@"); ((${#targets[@]})) || targets=(kvp filter cql sld)
swift build -c release --product passerelle-fuzz >/dev/null
for t in "${targets[@]}"; do
  if ! .build/release/passerelle-fuzz "$t" "$secs"; then
    echo "CRASH in $t: input kept in fuzz-$t.current" >&2
    exit 1
  fi
done
