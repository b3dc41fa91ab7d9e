#!/usr/bin/env bash
# Tile throughput from S3 (a local Ceph radosgw) against from disk, and against nginx in front of radosgw (and
# radosgw alone) serving the same byte ranges of the same slab objects, in one run on one machine.
#   Benchmarks/s3.sh [--duration SECONDS] [--connections N] [--no-build]
# The pyramids FRANCE_RELIEF_JPG and RHONE_ADMIN_MVT are uploaded with ROK4's pyr2pyr, and every tile they hold is
# requested in turn, over TMS:
#   passerelle disk / s3, caches off   PASSERELLE_TILE_CACHES=off: every request reads its storage (index cached)
#   passerelle disk / s3, caches on    the defaults (tiles read less than 1 s ago are not read again)
#   nginx → radosgw, radosgw           an anonymous ranged GET of the tile's bytes in its slab object: what one S3
#                                      read per tile costs at best, through a proxy and without one
# Prints a table (nothing is written into RESULTS.md). Everything it starts is stopped on exit.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
DURATION=10
CONNECTIONS=8
BUILD=1
while (($#)); do
    case "$1" in
        --duration) DURATION=$2; shift ;;
        --connections) CONNECTIONS=$2; shift ;;
        --no-build) BUILD=0 ;;
        -h|--help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
WRK_THREADS=${WRK_THREADS:-2}
log() { echo "[s3-bench $(date -u +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/passerelle-s3-bench.XXXXXX")
chmod 755 "$WORK"
export PASSERELLE_CEPH_DIR=$WORK/ceph
STARTED=()
cleanup() {
    for pid in "${STARTED[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -f "$WORK/nginx.pid" ] && kill -QUIT "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    "$REPO/scripts/ceph-test-cluster.sh" stop >/dev/null 2>&1 || true
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
PBIN=$REPO/.build/release/passerelle
[ -x "$PBIN" ] || die "no release binary at $PBIN"

# ---------------------------------------------------------------- 1. Ceph + radosgw, the pyramids uploaded by pyr2pyr
log "starting Ceph (mon, memstore osd, radosgw)"
t0=$(date +%s.%N)
eval "$("$REPO/scripts/ceph-test-cluster.sh" start)"
export ROK4_S3_URL ROK4_S3_KEY ROK4_S3_SECRETKEY
CEPH_START=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
RGW=${ROK4_S3_URL#http://}
PY=$("$REPO/scripts/rok4-venv.sh")
export ROK4_TMS_DIRECTORY=$REPO/config/tilematrixsets AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
BUCKET=bench-$(cat /proc/sys/kernel/random/uuid | cut -c1-8)
"$PY" "$REPO/Tests/Clients/s3_tool.py" mkbucket "$BUCKET"
cp -r "$REPO/config" "$WORK/config"
PYRAMIDS=(FRANCE_RELIEF_JPG RHONE_ADMIN_MVT)
for name in "${PYRAMIDS[@]}"; do
    mkdir -p "$WORK/todo-$name"
    cat > "$WORK/pyr2pyr-$name.json" <<EOF
{"from": {"descriptor": "file://$WORK/config/pyramids/$name.json"},
 "to": {"name": "$name", "storage": {"type": "S3", "root": "$BUCKET"}},
 "process": {"directory": "file://$WORK/todo-$name", "parallelization": 1}}
EOF
    for role in "--role master" "--role agent --split 1" "--role finisher"; do
        # shellcheck disable=SC2086
        (cd "$WORK/config/pyramids" && "$(dirname "$PY")/pyr2pyr" $role --conf "file://$WORK/pyr2pyr-$name.json") \
            >> "$WORK/pyr2pyr.log" 2>&1 || { tail "$WORK/pyr2pyr.log" >&2; die "pyr2pyr failed"; }
    done
done
"$PY" "$REPO/Tests/Clients/s3_tool.py" public-read "$BUCKET"
log "uploaded ${PYRAMIDS[*]} to bucket $BUCKET (Ceph up in ${CEPH_START} s)"

# ---------------------------------------------------------------- 2. config (S3 twins of the demo layers), request lists
python3 - "$WORK" "$BUCKET" "$REPO" <<'PY'
import json, os, struct, sys
work, bucket, repo = sys.argv[1:4]
cfg = os.path.join(work, "config")
layers = {"FRANCE_RELIEF_JPG": ("france_relief", "france-relief", "france-relief-wmts", "jpeg"),
          "RHONE_ADMIN_MVT": ("rhone_admin", "rhone-admin-mvt", "rhone-admin-tms", "pbf")}
manifest = {p["name"]: p for p in json.load(open(os.path.join(repo, "Tests/TileStoreTests/Fixtures/rok4/MANIFEST.json")))["pyramids"]}
lists = {k: [] for k in ("disk", "s3", "ranges")}
for name, (layer, stored, conf, ext) in layers.items():
    sd = json.load(open(os.path.join(cfg, "stored_data", stored + ".json")))
    sd["storage"] = {"type": "S3", "labels": [], "path": f"s3://{bucket}/{name}.json"}
    json.dump(sd, open(os.path.join(cfg, "stored_data", "s3-" + stored + ".json"), "w"))
    c = json.load(open(os.path.join(cfg, "configurations", conf + ".json")))
    c["layer_name"] = "s3_" + layer
    for u in c["type_infos"]["used_data"]:
        u["stored_data"] = "s3-" + stored
    json.dump(c, open(os.path.join(cfg, "configurations", "s3-" + stored + ".json"), "w"))
    json.dump({"configuration": "s3-" + stored, "endpoint": "wmts", "open": True},
              open(os.path.join(cfg, "offerings", "s3-" + stored + ".json"), "w"))
    desc = json.load(open(os.path.join(cfg, "pyramids", name + ".json")))
    levels = {lv["id"]: lv for lv in desc["levels"]}
    for key in sorted(manifest[name]["all_tiles_sha256"]):
        lvl, col, row = key.split("/")
        col, row = int(col), int(row)
        lists["disk"].append(f"/tms/1.0.0/{layer}/{lvl}/{col}/{row}.{ext}")
        lists["s3"].append(f"/tms/1.0.0/s3_{layer}/{lvl}/{col}/{row}.{ext}")
        lv = levels[lvl]
        w, h = lv["tiles_per_width"], lv["tiles_per_height"]
        sc, sr, n = col // w, row // h, w * h
        i = (row % h) * w + col % w
        # The tile's place in its slab, from the slab file on disk (the same bytes as the object).
        b36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        def enc(v):
            s = ""
            while True:
                s = b36[v % 36] + s; v //= 36
                if v == 0: return s
        depth = lv["storage"]["path_depth"]
        c36, r36 = enc(sc), enc(sr)
        L = max(depth + 1, len(c36), len(r36))
        c36, r36 = c36.rjust(L, "0"), r36.rjust(L, "0")
        pairs = [c36[k] + r36[k] for k in range(L)]
        rel = "/".join(["".join(pairs[:L - depth])] + pairs[L - depth:]) + ".tif"
        with open(os.path.join(cfg, "pyramids", lv["storage"]["image_directory"], rel), "rb") as f:
            f.seek(2048 + 4 * i); off = struct.unpack("<I", f.read(4))[0]
            f.seek(2048 + 4 * n + 4 * i); size = struct.unpack("<I", f.read(4))[0]
        lists["ranges"].append(f"/{bucket}/{name}/DATA_{lvl}_{sc}_{sr}\tbytes={off}-{off + size - 1}")
for k, v in lists.items():
    open(os.path.join(work, f"{k}.txt"), "w").write("\n".join(v) + "\n")
print(len(lists["disk"]), "tiles", file=sys.stderr)
PY

# ---------------------------------------------------------------- 3. servers: Passerelle (caches off, on), nginx → radosgw
start_passerelle() { # NAME CACHES: sets PORT (not in a subshell, so that STARTED keeps its pid)
    PORT=$(free_port)
    PASSERELLE_TILE_CACHES=$2 "$PBIN" serve --config "$WORK/config" --templates "$REPO/capabilities-templates" \
        --host 127.0.0.1 --port "$PORT" --log-level warning > "$WORK/$1.log" 2>&1 &
    STARTED+=($!)
    for _ in $(seq 1 200); do
        curl -fs -o /dev/null "http://127.0.0.1:$PORT$(head -1 "$WORK/s3.txt")" && break
        sleep 0.1
    done
    curl -fs -o /dev/null "http://127.0.0.1:$PORT$(head -1 "$WORK/s3.txt")" || die "$1 does not serve S3 tiles"
}
start_passerelle passerelle-off off; P_OFF=$PORT
start_passerelle passerelle-on on; P_ON=$PORT
# The same bytes from both storages, before anything is measured.
while read -r d && read -r s <&3; do
    cmp -s <(curl -fs "http://127.0.0.1:$P_OFF$d") <(curl -fs "http://127.0.0.1:$P_OFF$s") || die "S3 and disk differ: $s"
done < "$WORK/disk.txt" 3< "$WORK/s3.txt"
log "every tile identical from disk and from S3 ($(wc -l < "$WORK/disk.txt") tiles)"

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp"
cat > "$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    upstream rgw { server $RGW; keepalive 32; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://rgw;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $RGW;
        }
    }
}
EOF
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"
first_range=$(head -1 "$WORK/ranges.txt")
curl -fs -o /dev/null -H "Range: ${first_range#*$'\t'}" "http://127.0.0.1:$NGINX_PORT${first_range%%$'\t'*}" \
    || { cat "$WORK/nginx-error.log" >&2; die "nginx → radosgw does not answer"; }

# ---------------------------------------------------------------- 4. wrk
run() { # NAME BASE LUA LIST
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s --timeout 30s -s "$BENCH/lib/$3" "$2" -- "$4" > /dev/null 2>&1 || true
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency -s "$BENCH/lib/$3" "$2" -- "$4" \
        > "$WORK/$1.wrk.txt" 2>&1 || true
    python3 - "$1" "$WORK/$1.wrk.txt" <<'PY'
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
log "measuring: ${DURATION}s per case, $CONNECTIONS connections, $WRK_THREADS wrk threads"
{
    echo "| case ($(wc -l < "$WORK/disk.txt") tiles in turn) | req/s | p50 ms | p99 ms | errors |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    run "passerelle disk, caches off" "http://127.0.0.1:$P_OFF" cycle.lua "$WORK/disk.txt"
    run "passerelle S3, caches off" "http://127.0.0.1:$P_OFF" cycle.lua "$WORK/s3.txt"
    run "passerelle disk, caches on" "http://127.0.0.1:$P_ON" cycle.lua "$WORK/disk.txt"
    run "passerelle S3, caches on" "http://127.0.0.1:$P_ON" cycle.lua "$WORK/s3.txt"
    run "nginx → radosgw (ranged GET)" "http://127.0.0.1:$NGINX_PORT" cycle.lua "$WORK/ranges.txt"
    run "radosgw (ranged GET)" "http://$RGW" cycle.lua "$WORK/ranges.txt"
} | tee "$WORK/table.md"
rss() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%.0f MiB", $1/1024}'; }
echo
echo "RSS after the run: radosgw $(rss "$(cat "$PASSERELLE_CEPH_DIR/run/client.rgw.a.pid")"), ceph-osd $(rss "$(cat "$PASSERELLE_CEPH_DIR/run/osd.0.pid")"), ceph-mon $(rss "$(cat "$PASSERELLE_CEPH_DIR/run/mon.a.pid")"); Ceph started in ${CEPH_START} s"
echo "$(nproc) cores, $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(radosgw --version | cut -d' ' -f1-3), $(nginx -v 2>&1 | cut -d' ' -f3)"
