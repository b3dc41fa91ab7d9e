#!/usr/bin/env bash
# Sets up and runs every test (see README): Swift unit and service tests, PostGIS-backed tests against a
# throwaway PostgreSQL+PostGIS cluster, then real clients (GDAL, OWSLib) against a running server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh test
export PATH

# Fonts: the renderer's label tests need a real sans-serif face.
fc-match sans-serif | grep -qi dejavu || echo "warning: fc-match sans-serif is not DejaVu: $(fc-match sans-serif)"

# 1. A throwaway PostGIS cluster loaded with the demo data (and a read replica of it), and a throwaway Ceph with its S3 gateway (radosgw)
#    for the S3 pyramid tests (ROK4_S3_URL, ROK4_S3_KEY, ROK4_S3_SECRETKEY); both stopped on exit.
eval "$(scripts/pg-test-cluster.sh start)"
trap 'scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true' EXIT
export PASSERELLE_TEST_PG
#    Its hot-standby streaming replica, for the read replica tests (the client test stops and restarts it);
#    `stop` removes it with the cluster.
eval "$(scripts/pg-test-cluster.sh replica-start)"
export PASSERELLE_TEST_PG_REPLICA
eval "$(scripts/ceph-test-cluster.sh start)"
trap 'scripts/ceph-test-cluster.sh stop >/dev/null 2>&1 || true; scripts/pg-test-cluster.sh stop >/dev/null 2>&1 || true' EXIT
export ROK4_S3_URL ROK4_S3_KEY ROK4_S3_SECRETKEY

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

# 3. Real clients against a running server (demo config + the PostGIS stored data). The pyramid tests read
#    what `passerelle pyramid` writes with the reference ROK4 reader (PyPI rok4, in a venv made once).
scripts/rok4-venv.sh >/dev/null
set +e
scripts/client-tests.sh | tee "$log.clients"
client_status=${PIPESTATUS[0]}
set -e

# One closing line for both runners.
swift_passed=$(grep -Eo "Test run with [0-9]+ tests? in [0-9]+ suites? passed" "$log.test" | grep -Eo "[0-9]+" | head -1 || true)
swift_failed=$(grep -Ec "^✘ Test .*(failed|recorded an issue)" "$log.test" || true)
if [[ -z "$swift_passed" ]]; then
  swift_total=$(grep -Eo "Test run with [0-9]+ tests?" "$log.test" | grep -Eo "[0-9]+" | head -1 || echo 0)
  swift_failed_tests=$(grep -Ec "^✘ Test .* failed" "$log.test" || true)
  swift_passed=$(( ${swift_total:-0} - ${swift_failed_tests:-0} ))
  swift_failed=${swift_failed_tests:-0}
else
  swift_failed=0
fi
py_passed=$(grep -Eo "[0-9]+ passed" "$log.clients" | tail -1 | grep -Eo "[0-9]+" || echo 0)
py_failed=$(grep -Eo "[0-9]+ failed" "$log.clients" | tail -1 | grep -Eo "[0-9]+" || echo 0)
py_skipped=$(grep -Eo "[0-9]+ skipped" "$log.clients" | tail -1 | grep -Eo "[0-9]+" || echo 0)

echo "swift tests: ${swift_passed} passed, ${swift_failed} failed; client tests: ${py_passed} passed, ${py_failed} failed, ${py_skipped} skipped"
if [[ $swift_status -ne 0 || $client_status -ne 0 ]]; then
  echo "FAILED: swift tests exit $swift_status, client tests exit $client_status"
  echo "tests: $((swift_passed + py_passed)) passed, $((swift_failed + py_failed + (swift_status != 0 && swift_failed == 0) + (client_status != 0 && py_failed == 0))) failed"
  exit 1
fi
echo "tests: $((swift_passed + py_passed)) passed, 0 failed"
