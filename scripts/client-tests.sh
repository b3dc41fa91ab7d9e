#!/usr/bin/env bash
# Starts the server on a free port over a copy of the demo config (plus PostGIS-backed layers when
# PASSERELLE_TEST_PG is set) and runs the real-client tests (GDAL, OWSLib, xmllint) in Tests/Clients.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug/passerelle
[[ -x $bin ]] || swift build --product passerelle >/dev/null
work=$(mktemp -d)
cp -r config "$work/config"
cp -r styles "$work/styles" 2>/dev/null || true
if [[ -n "${PASSERELLE_TEST_PG:-}" ]]; then
  cp Tests/Clients/postgis-config/stored_data/*.json "$work/config/stored_data/"
  cp Tests/Clients/postgis-config/configurations/*.json "$work/config/configurations/"
  cp Tests/Clients/postgis-config/offerings/*.json "$work/config/offerings/"
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$bin serve --config "$work/config" --templates capabilities-templates --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
export PASSERELLE_URL="http://127.0.0.1:$port" PASSERELLE_CONFIG="$work/config" PASSERELLE_SERVER_PID="$pid" PASSERELLE_BIN="$PWD/$bin"
export PASSERELLE_SCHEMAS="$PWD/Tests/Schemas"
set +e
/usr/bin/python3 -m pytest -q -p no:cacheprovider Tests/Clients "$@"
status=$?
set -e
if [[ $status -ne 0 ]]; then echo "--- server log (tail) ---"; tail -40 "$work/server.log"; fi
exit $status
