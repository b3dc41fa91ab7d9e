#!/usr/bin/env bash
# Replicas (issue 15), in one run on one machine:
#   - two Passerelle processes on the same config directory behind HAProxy (roundrobin) against one process
#     reached directly: tile GETs (every tile of FRANCE_RELIEF_JPG in turn, over TMS) and WMS GetMap of the demo
#     vector layer (256x256 PNG, EPSG:3857, ~1:250k, random places in metropolitan France);
#   - WFS GetFeature GeoJSON (0.08° BBOXes, ~10 communes) from a PostgreSQL hot-standby read replica (`read_replica_envs`)
#     against from the primary, both in the same process (two stored data over the same tables).
#   Benchmarks/replicas.sh [--duration SECONDS] [--connections N] [--no-build] [--passerelle-bin PATH]
# PostGIS is a throwaway cluster loaded with ../shared/data/france.gpkg (scripts/pg-test-cluster.sh, and its
# replica-start). On a 2-core machine the two processes share the same cores, so the HAProxy figures show what
# the balancer costs, not what a second machine adds. Writes its section of RESULTS.md ("## Replicas (issue 15)").
# Everything it starts is stopped on exit.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
DURATION=15
CONNECTIONS=8
BUILD=1
PBIN=""
OUT="$BENCH/RESULTS.md"
while (($#)); do
    case "$1" in
        --duration) DURATION=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --passerelle-bin) PBIN=$2; BUILD=0; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
WRK_THREADS=${WRK_THREADS:-2}
log() { echo "[replicas-bench $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/passerelle-replicas-bench.XXXXXX")
chmod 755 "$WORK"
export PASSERELLE_PG_DIR=$WORK/pg
STARTED=()
cleanup() {
    for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
    "$REPO/scripts/pg-test-cluster.sh" stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"$REPO/scripts/setup-debian.sh" bench
if [ "$BUILD" = 1 ]; then
    log "building Passerelle in release"
    (cd "$REPO" && swift build -c release --product passerelle) > "$WORK/build.log" 2>&1 \
        || { tail -30 "$WORK/build.log" >&2; die "release build failed"; }
fi
PBIN=${PBIN:-$REPO/.build/release/passerelle}
[ -x "$PBIN" ] || die "no binary at $PBIN"
case "$PBIN" in */debug/*) BUILD_KIND=debug ;; *) BUILD_KIND=release ;; esac

# ---------------------------------------------------------------- 1. PostGIS primary + hot-standby replica
GPKG=${BENCH_GPKG:-$REPO/../shared/data/france.gpkg}
[ -f "$GPKG" ] || die "no $GPKG"
log "starting PostGIS with $(basename "$GPKG") and its streaming replica"
eval "$(PASSERELLE_PG_GPKG=$GPKG "$REPO/scripts/pg-test-cluster.sh" start)"
eval "$("$REPO/scripts/pg-test-cluster.sh" replica-start)"
PRIMARY=$PASSERELLE_TEST_PG
REPLICA=$PASSERELLE_TEST_PG_REPLICA
[ "$(psql -X -tA "$REPLICA" -c 'SELECT pg_is_in_recovery()')" = t ] || die "the replica is not in recovery"
COMMUNES=$(psql -X -tA "$REPLICA" -c "SELECT count(*) FROM communes")
log "communes on the replica: $COMMUNES"

# ---------------------------------------------------------------- 2. config and request lists
cp -r "$REPO/config" "$WORK/config"
ln -s "$REPO/styles" "$WORK/styles"
python3 - "$WORK" "$REPO" <<'PY'
import json, math, os, random, sys
work, repo = sys.argv[1:3]
cfg = os.path.join(work, "config")
relations = [{"name": "communes", "type": "TABLE", "primary_key": ["fid"], "attributes": ["fid", "code", "nom", "geom"]}]
for sid, layer, replicas in (("bench-primary", "communes_primary", None), ("bench-replica", "communes_replica", ["BENCH_PG_REPLICA"])):
    storage = {"type": "POSTGRESQL", "labels": [], "connection_env": "BENCH_PG", "schema": "public"}
    if replicas:
        storage["read_replica_envs"] = replicas
    json.dump({"name": sid, "type": "VECTOR-DB", "srs": "EPSG:4326", "storage": storage, "type_infos": {"relations": relations}},
              open(os.path.join(cfg, "stored_data", sid + ".json"), "w"))
    json.dump({"type": "WFS", "name": layer, "layer_name": layer,
               "type_infos": {"used_data": [{"stored_data": sid, "relations": [{"native_name": "communes", "title": layer}]}]}},
              open(os.path.join(cfg, "configurations", sid + ".json"), "w"))
    json.dump({"configuration": sid, "endpoint": "wfs", "open": True}, open(os.path.join(cfg, "offerings", sid + ".json"), "w"))
rng = random.Random(20261203)
R = 6378137.0
def merc(lon, lat):
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
lists = {"tiles": [], "wms": [], "wfs_primary": [], "wfs_replica": []}
manifest = {p["name"]: p for p in json.load(open(os.path.join(repo, "Tests/TileStoreTests/Fixtures/rok4/MANIFEST.json")))["pyramids"]}
for key in sorted(manifest["FRANCE_RELIEF_JPG"]["all_tiles_sha256"]):
    lvl, col, row = key.split("/")
    lists["tiles"].append(f"/tms/1.0.0/france_relief/{lvl}/{col}/{row}.jpeg")
half = 256 * 70 / 2   # ~1:250k: 70 m a pixel
for _ in range(200):
    x, y = merc(rng.uniform(-1.5, 7.0), rng.uniform(43.5, 49.5))
    lists["wms"].append("/wms-v?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=france_admin&STYLES=&CRS=EPSG:3857"
                        f"&BBOX={x - half:.0f},{y - half:.0f},{x + half:.0f},{y + half:.0f}&WIDTH=256&HEIGHT=256&FORMAT=image/png")
for _ in range(200):
    lon, lat = rng.uniform(-1.5, 7.0), rng.uniform(43.5, 49.5)
    d = 0.04
    for layer, name in (("communes_primary", "wfs_primary"), ("communes_replica", "wfs_replica")):
        lists[name].append(f"/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={layer}:communes&OUTPUTFORMAT=application/json"
                           f"&BBOX={lat - d:.4f},{lon - d:.4f},{lat + d:.4f},{lon + d:.4f},urn:ogc:def:crs:EPSG::4326")
for k, v in lists.items():
    open(os.path.join(work, f"{k}.txt"), "w").write("\n".join(v) + "\n")
PY

# ---------------------------------------------------------------- 3. two Passerelle processes, HAProxy in front
start_passerelle() { # NAME: sets PORT (not in a subshell, so that STARTED keeps its pid)
    PORT=$(free_port)
    BENCH_PG=$PRIMARY BENCH_PG_REPLICA=$REPLICA "$PBIN" serve --config "$WORK/config" --templates "$REPO/capabilities-templates" \
        --host 127.0.0.1 --port "$PORT" --log-level warning > "$WORK/$1.log" 2>&1 &
    STARTED+=($!)
    for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/health" || { tail "$WORK/$1.log" >&2; die "$1 does not start"; }
}
start_passerelle passerelle-1; P1=$PORT; P1_PID=${STARTED[-1]}
start_passerelle passerelle-2; P2=$PORT; P2_PID=${STARTED[-1]}
HA=$(free_port)
cat > "$WORK/haproxy.cfg" <<EOF
global
    maxconn 4000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    http-reuse safe
frontend replicas
    bind 127.0.0.1:$HA
    default_backend passerelle
backend passerelle
    balance roundrobin
    option httpchk GET /health
    default-server inter 1s fall 2 rise 1
    server p1 127.0.0.1:$P1 check
    server p2 127.0.0.1:$P2 check
EOF
haproxy -c -q -f "$WORK/haproxy.cfg" || die "haproxy.cfg does not check"
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
STARTED+=($!)
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$HA/health" && break; sleep 0.1; done

# Every list answers 200 everywhere before anything is measured, and the replica layer reads from the replica.
for list in tiles wms wfs_primary wfs_replica; do
    for port in "$P1" "$HA"; do
        code=$(curl -s -o "$WORK/probe" -w '%{http_code}' "http://127.0.0.1:$port$(head -1 "$WORK/$list.txt")")
        [ "$code" = 200 ] || { head -c 400 "$WORK/probe" >&2; die "$list on port $port: HTTP $code"; }
    done
done
FEATURES=$(python3 - "http://127.0.0.1:$P1" "$WORK/wfs_replica.txt" <<'PY'
import json, sys, urllib.request
base, path = sys.argv[1:3]
n = [len(json.load(urllib.request.urlopen(base + line.strip(), timeout=60))["features"]) for line in open(path).readlines()[:20]]
print(f"{min(n)}–{max(n)}, mean {sum(n) / len(n):.1f}")
PY
)
before=$(psql -X -tA "$REPLICA" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'gis'")
for _ in $(seq 1 5); do curl -fs -o /dev/null "http://127.0.0.1:$P1$(sed -n 2p "$WORK/wfs_replica.txt")"; done
# (A session publishes its counts within seconds, not at each transaction.)
for _ in $(seq 1 150); do
    after=$(psql -X -tA "$REPLICA" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'gis'")
    [ $((after - before)) -ge 7 ] && break
    sleep 0.1
done
[ $((after - before)) -ge 7 ] || die "the replica layer did not read from the replica ($before → $after transactions)"

# ---------------------------------------------------------------- 4. wrk
run() { # NAME BASE LIST
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s --timeout 30s -s "$BENCH/lib/cycle.lua" "$2" -- "$3" > /dev/null 2>&1 || true
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency -s "$BENCH/lib/cycle.lua" "$2" -- "$3" \
        > "$WORK/run.wrk.txt" 2>&1 || true
    python3 - "$1" "$WORK/run.wrk.txt" <<'PY'
import json, sys
name, path = sys.argv[1:3]
line = next((l for l in open(path) if l.startswith("BENCHJSON ")), None)
if line is None:
    print(f"| {name} | no result | | | |"); sys.exit()
r = json.loads(line[len("BENCHJSON "):])
rps = r["requests"] / (r["duration_us"] / 1e6)
errors = r["status"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
print(f"| {name} | {rps:,.0f} | {r['p50_us'] / 1000:.2f} | {r['p99_us'] / 1000:.2f} | {errors} |")
PY
    sleep 1
}
rss() { awk '/VmRSS/{printf "%d MiB", $2/1024}' "/proc/$1/status" 2>/dev/null; }
log "measuring: ${DURATION}s per case, $CONNECTIONS connections, $WRK_THREADS wrk threads"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "| case | req/s | p50 ms | p99 ms | errors |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    run "tiles ($(wc -l < "$WORK/tiles.txt") JPEG tiles in turn), one process direct" "http://127.0.0.1:$P1" "$WORK/tiles.txt"
    run "tiles, HAProxy → 2 processes" "http://127.0.0.1:$HA" "$WORK/tiles.txt"
    run "WMS GetMap vector 256x256 ~1:250k, one process direct" "http://127.0.0.1:$P1" "$WORK/wms.txt"
    run "WMS GetMap vector, HAProxy → 2 processes" "http://127.0.0.1:$HA" "$WORK/wms.txt"
    run "WFS GetFeature GeoJSON, ~10 communes (0.08° BBOXes), primary" "http://127.0.0.1:$P1" "$WORK/wfs_primary.txt"
    run "WFS GetFeature GeoJSON, same BBOXes, read replica" "http://127.0.0.1:$P1" "$WORK/wfs_replica.txt"
} | tee "$WORK/table.md"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
RSS1=$(rss "$P1_PID"); RSS2=$(rss "$P2_PID")
TARGETS=$(curl -fs "http://127.0.0.1:$P1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)["stores"].get("bench-replica", {}).get("read_targets", [])
print(", ".join("%s %d reads" % (t["role"], t["reads"]) for t in s))')

SECTION="## Replicas (issue 15)"
{
    echo "$SECTION"
    echo
    echo "Written by \`Benchmarks/replicas.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, commit $(cd "$REPO" && git rev-parse --short HEAD),"
    echo "$BUILD_KIND build, ${DURATION} s per case after a 2 s warm-up, $CONNECTIONS connections, $WRK_THREADS wrk threads, loopback only;"
    echo "load average before $LOAD_BEFORE, after $LOAD_AFTER. Two Passerelle processes on the same config directory behind HAProxy"
    echo "$(haproxy -v | head -1 | cut -d' ' -f3) (roundrobin, \`option httpchk GET /health\`, \`retry-on all-retryable-errors\`) against the first of"
    echo "them reached directly; both share the machine's cores with HAProxy and wrk, so the HAProxy rows show what the balancer"
    echo "costs here, not what a second machine adds. WFS: the same process, one stored data reading the primary, one"
    echo "naming a hot-standby streaming replica (\`read_replica_envs\`) of the same cluster on the same machine; $COMMUNES communes."
    echo
    cat "$WORK/table.md"
    echo
    echo "RSS after the run: passerelle-1 $RSS1, passerelle-2 $RSS2. Reads of the replica stored data (/status): $TARGETS."
    echo "WFS answers: $FEATURES features (the first 20 BBOXes)."
    echo
} > "$WORK/section.md"
python3 "$BENCH/lib/put_section.py" "$OUT" "$WORK/section.md"
cat "$WORK/section.md"
