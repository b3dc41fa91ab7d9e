#!/usr/bin/env bash
# Sets up and runs every test (see README): Swift unit and service tests, PostGIS-backed tests against a
# throwaway PostgreSQL+PostGIS cluster, then real clients (GDAL, OWSLib) against a running server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh test
export PATH

# Fonts: the renderer's label tests need a real sans-serif face.
fc-match sans-serif | grep -qi dejavu || echo "warning: fc-match sans-serif is not DejaVu: $(fc-match sans-serif)"

# 1. A throwaway PostGIS cluster loaded with the demo data; stopped on exit.
eval "$(scripts/pg-test-cluster.sh start)"
trap 'scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true' EXIT
export PASSERELLE_TEST_PG

# 2. Build once, then the Swift tests (unit, service, PostGIS and GeoPackage stores).
log=$(mktemp -d)/swift
if ! swift build --build-tests >"$log.build" 2>&1; then
  grep -E "error|warning: unre" "$log.build" | head -50; tail -20 "$log.build"; exit 1
fi
set +e
swift test --skip-build >"$log.test" 2>&1
swift_status=$?
set -e
grep -Ev "^Test Case .*(started|passed)|^􀟈 |^◇ |^✔ Test .* passed|^􁁛  Test .* passed" "$log.test" | grep -v "^$" || true

# 3. Real clients against a running server (demo config + the PostGIS stored data).
set +e
scripts/client-tests.sh
client_status=$?
set -e

if [[ $swift_status -ne 0 || $client_status -ne 0 ]]; then
  echo "FAILED: swift tests exit $swift_status, client tests exit $client_status"
  exit 1
fi
echo "All tests passed."
