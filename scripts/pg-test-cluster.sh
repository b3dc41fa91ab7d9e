#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster for the tests, loaded with the demo GeoPackage.
#   scripts/pg-test-cluster.sh start   # (idempotent) prints: export PASSERELLE_TEST_PG=postgres://postgres@127.0.0.1:PORT/gis
#   scripts/pg-test-cluster.sh env     # prints the export line of the running cluster
#   scripts/pg-test-cluster.sh restart # fast restart on the same port (for recovery tests)
#   scripts/pg-test-cluster.sh stop    # fast shutdown, removes the cluster
# Works as root (the server runs as user postgres, since initdb refuses root) or as a normal user.
# PASSERELLE_PG_DIR chooses the cluster directory (default: $TMPDIR/passerelle-pg-test).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
BASE=${PASSERELLE_PG_DIR:-${TMPDIR:-/tmp}/passerelle-pg-test}
DATA=$BASE/data
SOCK=$BASE/sock
LOG=$BASE/server.log
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GPKG=${PASSERELLE_PG_GPKG:-$HERE/../config/data/france-demo.gpkg}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pid_of_cluster() {
    [ -f "$DATA/postmaster.pid" ] || return 1
    local pid
    pid=$(head -n 1 "$DATA/postmaster.pid")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

port_of_cluster() { sed -n 4p "$DATA/postmaster.pid"; }

print_env() { echo "export PASSERELLE_TEST_PG=postgres://postgres@127.0.0.1:$(port_of_cluster)/gis"; }

free_port() {
    local p
    for p in $(seq 55432 55632); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    echo "no free port" >&2; return 1
}

psql_gis() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$1" -U postgres -d "$2" -c "$3" >>"$LOG" 2>&1; }

start() {
    if pid_of_cluster >/dev/null; then print_env; return 0; fi
    mkdir -p "$BASE"
    if [ "$(id -u)" = 0 ]; then chown postgres "$BASE"; chmod 755 "$BASE"; fi
    as_pg mkdir -p "$SOCK"
    : > "$LOG" 2>/dev/null || true
    [ "$(id -u)" = 0 ] && chown postgres "$LOG"
    local fresh=0
    if [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
        as_pg "$PG_BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >>"$LOG" 2>&1
        fresh=1
    fi
    rm -f "$DATA/postmaster.pid"
    local port
    port=$(free_port)
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-p $port -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null
    if [ "$fresh" = 1 ] || ! as_pg "$PG_BIN/psql" -X -tA -h "$SOCK" -p "$port" -U postgres -d gis -c "SELECT 1 FROM communes LIMIT 1" >/dev/null 2>&1; then
        psql_gis "$port" postgres "DROP DATABASE IF EXISTS gis"
        psql_gis "$port" postgres "CREATE DATABASE gis"
        psql_gis "$port" gis "CREATE EXTENSION postgis"
        ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$port user=postgres dbname=gis" "$GPKG" \
            regions departements communes -lco GEOMETRY_NAME=geom -lco FID=fid -overwrite >>"$LOG" 2>&1
        psql_gis "$port" gis "ANALYZE"
    fi
    print_env
}

restart() {
    pid_of_cluster >/dev/null || { echo "no cluster running (run: $0 start)" >&2; exit 1; }
    local port
    port=$(port_of_cluster)
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -m fast \
        -o "-p $port -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" restart >/dev/null
}

stop() {
    local pid
    if pid=$(pid_of_cluster); then
        kill -INT "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$BASE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    restart) restart ;;
    env) pid_of_cluster >/dev/null || { echo "no cluster running (run: $0 start)" >&2; exit 1; }; print_env ;;
    *) echo "usage: $0 start|stop|restart|env" >&2; exit 2 ;;
esac
