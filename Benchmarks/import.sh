#!/usr/bin/env bash
# `passerelle import` vs `ogr2ogr -f PostgreSQL` with PG_USE_COPY=YES, same file, same database, same machine,
# one run: features per second on the communes of ../shared/data/france.gpkg (35,357 polygons), each tool run
# RUNS times alternately into its own schema, the median kept. Passerelle runs with every check on (validity
# through GEOS, encoding, types) and --make-valid, since one commune of the file is invalid (ogr2ogr loads it
# as it is). Both build the primary key and the spatial index. The figures replace the "Import" section of
# Benchmarks/RESULTS.md.
#   Benchmarks/import.sh [--runs N] [--no-build] [--passerelle-bin PATH] [--layer NAME]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
RUNS=3
BUILD=1
PBIN="$REPO/.build/release/passerelle"
LAYER=communes
while (($#)); do
    case "$1" in
        --runs) RUNS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --passerelle-bin) PBIN=$2; BUILD=0; shift ;;
        --layer) LAYER=$2; shift ;;
        -h|--help) sed -n 2,8p "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
GPKG=${BENCH_GPKG:-$REPO/../shared/data/france.gpkg}
source "$REPO/scripts/setup-debian.sh" test
(( BUILD )) && (cd "$REPO" && swift build -c release --product passerelle >/dev/null)

# A cluster of its own (no demo data), stopped on exit.
export PASSERELLE_PG_DIR=${TMPDIR:-/tmp}/passerelle-pg-import-bench
eval "$("$REPO/scripts/pg-test-cluster.sh" start)"
trap '"$REPO/scripts/pg-test-cluster.sh" stop >/dev/null 2>&1 || true' EXIT
PG=$PASSERELLE_TEST_PG
PORT=${PG##*:}; PORT=${PORT%%/*}
psql "$PG" -Xq -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
work=$(mktemp -d)
mkdir -p "$work/config/stored_data"

calc() { python3 -c "print($1)"; }
seconds() { local s e; s=$(date +%s.%N); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; e=$(date +%s.%N); calc "round($e - $s, 2)"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

features=$(ogrinfo -ro -so "$GPKG" "$LAYER" | sed -n 's/^Feature Count: //p')
: >"$work/ogr"; : >"$work/pas"
for i in $(seq 1 "$RUNS"); do
    psql "$PG" -Xq -c "DROP SCHEMA IF EXISTS bench_ogr CASCADE; CREATE SCHEMA bench_ogr; DROP SCHEMA IF EXISTS bench_pas CASCADE" >/dev/null
    seconds env PG_USE_COPY=YES ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PORT user=postgres dbname=gis" "$GPKG" "$LAYER" \
        -nln "bench_ogr.$LAYER" -lco GEOMETRY_NAME=geom -lco FID=fid >>"$work/ogr"
    seconds "$PBIN" import "$GPKG" --layers "$LAYER" --into "$PG" --schema bench_pas --config "$work/config" --name bench --make-valid >>"$work/pas"
done
grep -q "^integrated" "$work/last.log" || { cat "$work/last.log"; exit 1; }
ogr=$(median <"$work/ogr"); pas=$(median <"$work/pas")
rows_ogr=$(psql "$PG" -XtAc "SELECT count(*) FROM bench_ogr.$LAYER"); rows_pas=$(psql "$PG" -XtAc "SELECT count(*) FROM bench_pas.$LAYER")
ratio=$(calc "round($ogr / $pas, 2)")
fps() { calc "int($features / $1)"; }
status=$(calc "'**met**' if $ratio >= 1 else '**missed**'")

section=$(cat <<MD
## Import (issue 13)

Written by \`Benchmarks/import.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'): the \`$LAYER\` layer of france.gpkg ($features features) into PostGIS
($(psql "$PG" -XtAc "SELECT split_part(version(), ' ', 2)") / PostGIS $(psql "$PG" -XtAc "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")), median of $RUNS runs each, alternately, on $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg).
Passerelle commit $(git -C "$REPO" rev-parse --short HEAD), every check on, \`--make-valid\`; GDAL $(gdal-config --version).

| tool | seconds | features/s | rows loaded |
| --- | --- | --- | --- |
| \`ogr2ogr -f PostgreSQL\` (PG_USE_COPY=YES) | $ogr | $(fps "$ogr") | $rows_ogr |
| \`passerelle import\` (checks on) | $pas | $(fps "$pas") | $rows_pas |

| target | Passerelle / ogr2ogr | goal | |
| --- | --- | --- | --- |
| import features/s | ${ratio}× | ≥ 1× | $status |
MD
)
printf '%s\n' "$section" > "$work/section.md"
python3 "$BENCH/lib/put_section.py" "$BENCH/RESULTS.md" "$work/section.md"
echo "$section"
