#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS cluster for the tests, loaded with the demo GeoPackage.
#   scripts/pg-test-cluster.sh start   # (idempotent) prints: export PASSERELLE_TEST_PG=postgres://postgres@127.0.0.1:PORT/gis
#   scripts/pg-test-cluster.sh env     # prints the export line of the running cluster
#   scripts/pg-test-cluster.sh restart # fast restart on the same port (for recovery tests)
#   scripts/pg-test-cluster.sh stop    # fast shutdown, removes the cluster (and its replica)
#   scripts/pg-test-cluster.sh replica-start  # (idempotent) a hot-standby streaming replica of the cluster
#                                             # (pg_basebackup -R) on a port of its own, kept across replica-stop;
#                                             # prints: export PASSERELLE_TEST_PG_REPLICA=postgres://…:PORT/gis
#   scripts/pg-test-cluster.sh replica-env    # prints the export line of the replica (running or stopped)
#   scripts/pg-test-cluster.sh replica-stop   # fast shutdown of the replica; replica-start brings it back on
#                                             # the same port, caught up with the primary
# Works as root (the server runs as user postgres, since initdb refuses root) or as a normal user.
# PASSERELLE_PG_DIR chooses the cluster directory (default: $TMPDIR/passerelle-pg-test).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
BASE=${PASSERELLE_PG_DIR:-${TMPDIR:-/tmp}/passerelle-pg-test}
DATA=$BASE/data
SOCK=$BASE/sock
LOG=$BASE/server.log
REPLICA=$BASE/replica
REPLICA_LOG=$BASE/replica.log
REPLICA_PORT_FILE=$BASE/replica.port
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GPKG=${PASSERELLE_PG_GPKG:-$HERE/../config/data/france-demo.gpkg}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pid_of_cluster() {
    local dir=${1:-$DATA}
    [ -f "$dir/postmaster.pid" ] || return 1
    local pid
    pid=$(head -n 1 "$dir/postmaster.pid")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

port_of_cluster() { sed -n 4p "$DATA/postmaster.pid"; }

print_env() { echo "export PASSERELLE_TEST_PG=postgres://postgres@127.0.0.1:$(port_of_cluster)/gis"; }

free_port() {
    local p
    for p in $(seq 55432 55632); do
        [ -f "$REPLICA_PORT_FILE" ] && [ "$p" = "$(cat "$REPLICA_PORT_FILE")" ] && continue
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

print_replica_env() { echo "export PASSERELLE_TEST_PG_REPLICA=postgres://postgres@127.0.0.1:$(cat "$REPLICA_PORT_FILE")/gis"; }

# A streaming replica in hot standby: a base backup of the running cluster with its standby settings (-R writes
# primary_conninfo and standby.signal), started on a port of its own. The primary's defaults allow it (wal_level
# replica, max_wal_senders 10, and initdb -A trust lets loopback replication connections in); a test cluster made
# otherwise gets them set here, with a restart.
replica_start() {
    pid_of_cluster >/dev/null || { echo "no cluster running (run: $0 start)" >&2; exit 1; }
    if pid_of_cluster "$REPLICA" >/dev/null; then print_replica_env; return 0; fi
    local port
    port=$(port_of_cluster)
    : >> "$REPLICA_LOG"
    [ "$(id -u)" = 0 ] && chown postgres "$REPLICA_LOG"
    if [ ! -f "$REPLICA/standby.signal" ]; then
        local level senders
        level=$(as_pg "$PG_BIN/psql" -X -tA -h "$SOCK" -p "$port" -U postgres -d postgres -c "SHOW wal_level")
        senders=$(as_pg "$PG_BIN/psql" -X -tA -h "$SOCK" -p "$port" -U postgres -d postgres -c "SHOW max_wal_senders")
        if [ "$level" = minimal ] || [ "$senders" = 0 ]; then
            psql_gis "$port" postgres "ALTER SYSTEM SET wal_level = replica"
            psql_gis "$port" postgres "ALTER SYSTEM SET max_wal_senders = 10"
            restart
        fi
        grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$DATA/pg_hba.conf" || {
            echo "host replication all 127.0.0.1/32 trust" | as_pg tee -a "$DATA/pg_hba.conf" >/dev/null
            psql_gis "$port" postgres "SELECT pg_reload_conf()"
        }
        rm -rf "$REPLICA"
        as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$REPLICA" -R -X stream -c fast >>"$REPLICA_LOG" 2>&1
        free_port > "$REPLICA_PORT_FILE.new"
        mv "$REPLICA_PORT_FILE.new" "$REPLICA_PORT_FILE"
    fi
    rm -f "$REPLICA/postmaster.pid"
    as_pg "$PG_BIN/pg_ctl" -D "$REPLICA" -l "$REPLICA_LOG" -w -t 60 \
        -o "-p $(cat "$REPLICA_PORT_FILE") -k $SOCK -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off" start >/dev/null
    # Ready for reads once it has replayed up to where the primary is now.
    local lsn
    lsn=$(as_pg "$PG_BIN/psql" -X -tA -h "$SOCK" -p "$port" -U postgres -d postgres -c "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 100); do
        as_pg "$PG_BIN/psql" -X -tA -h "$SOCK" -p "$(cat "$REPLICA_PORT_FILE")" -U postgres -d gis \
            -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null | grep -q t && break
        sleep 0.1
    done
    print_replica_env
}

replica_stop() {
    local pid
    if pid=$(pid_of_cluster "$REPLICA"); then
        kill -INT "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
}

stop() {
    replica_stop
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
    replica-start) replica_start ;;
    replica-stop) replica_stop ;;
    replica-env) [ -f "$REPLICA_PORT_FILE" ] || { echo "no replica (run: $0 replica-start)" >&2; exit 1; }; print_replica_env ;;
    *) echo "usage: $0 start|stop|restart|env|replica-start|replica-stop|replica-env" >&2; exit 2 ;;
esac
