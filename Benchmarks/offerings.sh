#!/usr/bin/env bash
# Configuration at national scale (issue 15): a config directory of N offerings (half WMTS-TMS layers over the
# demo pyramid, half WFS layers over the demo GeoPackage, on the demo's endpoints), served by a release build:
# start-up time, resident memory, GetCapabilities of each service (first answer and answers from cache), and
# how long a one-file title edit takes to show in the capabilities. Writes its section of RESULTS.md.
#   Benchmarks/offerings.sh [--offerings N] [--no-build] [--passerelle-bin PATH]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
N=10000
BUILD=1
PBIN=""
while (($#)); do
    case "$1" in
        --offerings) N=$2; shift ;;
        --no-build) BUILD=0 ;;
        --passerelle-bin) PBIN=$2; BUILD=0; shift ;;
        -h|--help) sed -n 2,6p "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
log() { echo "[offerings $(date -u +%H:%M:%S)] $*" >&2; }
"$REPO/scripts/setup-debian.sh" bench
if [ "$BUILD" = 1 ]; then
    log "building Passerelle in release"
    (cd "$REPO" && swift build -c release --product passerelle) > /dev/null
fi
PBIN=${PBIN:-$REPO/.build/release/passerelle}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/passerelle-offerings.XXXXXX")
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

log "writing $N offerings"
cp -r "$REPO/config" "$WORK/config"
ln -s "$REPO/styles" "$WORK/styles"
/usr/bin/python3 - "$WORK/config" "$N" <<'PY'
import json, os, sys
cfg, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    kind = "wmts" if i % 2 == 0 else "wfs"
    cid = f"bulk-{kind}-{i:05d}"
    if kind == "wmts":
        c = {"type": "WMTS-TMS", "name": f"Relief {i}", "layer_name": f"relief_{i:05d}",
             "type_infos": {"title": f"Relief {i}", "abstract": "Bulk layer", "keywords": ["bulk"],
                            "used_data": [{"stored_data": "france-relief", "top_level": "3", "bottom_level": "10"}]}}
    else:
        c = {"type": "WFS", "name": f"Admin {i}", "layer_name": f"admin_{i:05d}",
             "type_infos": {"bbox": {"west": -5.2, "south": 41.3, "east": 9.6, "north": 51.1},
                            "used_data": [{"stored_data": "france-demo", "relations": [
                                {"native_name": "departements", "title": f"Départements {i}", "abstract": "Bulk layer"}]}]}}
    json.dump(c, open(os.path.join(cfg, "configurations", cid + ".json"), "w"))
    json.dump({"configuration": cid, "endpoint": kind, "open": True}, open(os.path.join(cfg, "offerings", cid + ".json"), "w"))
PY
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
t0=$(date +%s.%N)
"$PBIN" serve --config "$WORK/config" --host 127.0.0.1 --port "$PORT" --log-level warning > "$WORK/server.log" 2>&1 &
PID=$!
until curl -fs "$URL/health" > /dev/null 2>&1; do sleep 0.05; done
has() { curl -fs -o "$WORK/probe" "$1" 2>/dev/null && grep -q "$2" "$WORK/probe"; }
until has "$URL/wfs?SERVICE=WFS&REQUEST=GetCapabilities" "admin_$(printf %05d $((N - 1)))"; do sleep 0.05; done
t1=$(date +%s.%N)
STARTUP=$(printf '%.2f' "$(echo "$t1 - $t0" | bc)")
RSS=$(awk '/VmRSS/{print int($2/1024)}' /proc/$PID/status)
log "started in ${STARTUP}s, RSS ${RSS} MiB"

measure() { # NAME PATH -> "first_ms cached_median_ms bytes gzip_bytes"
    local first cached bytes gz
    first=$(curl -s -o "$WORK/doc" -w '%{time_total}' "$URL$2")
    bytes=$(stat -c %s "$WORK/doc")
    cached=$(for _ in 1 2 3 4 5 6 7; do curl -s -o /dev/null -w '%{time_total}\n' "$URL$2"; done | sort -n | sed -n 4p)
    gz=$(curl -s -H 'Accept-Encoding: gzip' -o "$WORK/doc.gz" -w '%{size_download}' "$URL$2")
    printf '%s %.1f %.1f %s %s\n' "$1" "$(echo "$first * 1000" | bc)" "$(echo "$cached * 1000" | bc)" "$bytes" "$gz"
}
{
    measure "WMTS" "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&VERSION=1.0.0"
    measure "WFS-2.0.0" "/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0"
    measure "WMS-1.3.0" "/wms-v?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0"
} > "$WORK/caps.txt"
cat "$WORK/caps.txt" >&2

# A one-file edit: the title of one WFS configuration.
f="$WORK/config/configurations/bulk-wfs-00001.json"
/usr/bin/python3 - "$f" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["type_infos"]["used_data"][0]["relations"][0]["title"] = "Edited title"
json.dump(c, open(sys.argv[1] + ".tmp", "w"))
PY
t0=$(date +%s.%N)
mv "$f.tmp" "$f"
until has "$URL/wfs?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0" "Edited title"; do sleep 0.02; done
t1=$(date +%s.%N)
EDIT=$(printf '%.2f' "$(echo "$t1 - $t0" | bc)")
log "a one-file edit was live after ${EDIT}s"

SECTION="## Configuration at national scale (issue 15)"
{
    echo "$SECTION"
    echo
    echo "Written by \`Benchmarks/offerings.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, commit $(cd "$REPO" && git rev-parse --short HEAD):"
    echo "$N offerings ($((N / 2)) WMTS-TMS layers over the demo pyramid, $((N / 2)) WFS layers over the demo GeoPackage) in one config directory."
    echo
    echo "| measure | value | goal |"
    echo "| --- | --- | --- |"
    echo "| start-up, until every layer is in the capabilities | ${STARTUP} s | < 3 s |"
    echo "| resident memory after start-up | ${RSS} MiB | |"
    while read -r name first cached bytes gz; do
        echo "| $name GetCapabilities: first answer / from cache (median of 7) | ${first} ms / ${cached} ms ($bytes bytes; $gz with gzip) | from cache < 50 ms |"
    done < "$WORK/caps.txt"
    echo "| a one-file title edit live in the capabilities | ${EDIT} s | < 1 s |"
    echo
} > "$WORK/section.md"
/usr/bin/python3 "$BENCH/lib/put_section.py" "$BENCH/RESULTS.md" "$WORK/section.md"
cat "$WORK/section.md"
