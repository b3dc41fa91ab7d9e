#!/usr/bin/env bash
# A throwaway single-node Ceph with an S3 gateway, on loopback, for the tests: one ceph-mon, one ceph-osd on
# memstore (RAM, nothing on disk), one radosgw, and an S3 user. About 15 s to start and ~130 MiB of memory.
#   scripts/ceph-test-cluster.sh start      # (idempotent) prints: export ROK4_S3_URL=http://127.0.0.1:PORT ROK4_S3_KEY=… ROK4_S3_SECRETKEY=…
#   scripts/ceph-test-cluster.sh env        # prints the export line of the running cluster
#   scripts/ceph-test-cluster.sh rgw-stop   # stops radosgw only (for outage tests); rgw-start starts it again
#   scripts/ceph-test-cluster.sh stop       # stops every daemon, removes the cluster
# The daemons are started directly (no systemd: CI runs as root in a container), with their config, sockets,
# pid files and logs in one directory: PASSERELLE_CEPH_DIR (default $TMPDIR/passerelle-ceph-test).
# Debian 12 packages: ceph-mon ceph-osd radosgw ceph-common (scripts/setup-debian.sh test installs them).
set -euo pipefail

BASE=${PASSERELLE_CEPH_DIR:-${TMPDIR:-/tmp}/passerelle-ceph-test}
CONF=$BASE/ceph.conf
ENVFILE=$BASE/s3.env
LOG=$BASE/start.log

ceph_() { timeout 30 ceph -c "$CONF" "$@"; }

alive() { [ -f "$BASE/run/$1.pid" ] && kill -0 "$(cat "$BASE/run/$1.pid")" 2>/dev/null; }

rgw_port() { sed -n 's/^rgw_port=//p' "$BASE/ports"; }

rgw_answers() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$(rgw_port)/"; }

free_port() {
    local p
    for p in $(seq "$1" $(($1 + 200))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    echo "no free port from $1" >&2; return 1
}

wait_for() {   # wait_for SECONDS DESCRIPTION COMMAND...
    local n=$(( $1 * 5 )) what=$2; shift 2
    for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "ceph-test-cluster: timed out waiting for $what (logs in $BASE/log)" >&2
    tail -n 20 "$BASE"/log/*.log >&2 2>/dev/null || true
    return 1
}

write_conf() {
    local mon_port=$1 rgw_port=$2 fsid=$3
    cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public network = 127.0.0.0/8
ms bind ipv6 = false
# Loopback only, throwaway data: no authentication, checksums without encryption.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
ms tcp nodelay = true
keyring = $BASE/keyring
run dir = $BASE/run
crash dir = $BASE/crash
admin socket = $BASE/run/\$name.asok
pid file = $BASE/run/\$name.pid
log file = $BASE/log/\$name.log
log to stderr = false
err to stderr = false
mon data = $BASE/mon/\$cluster-\$id
osd data = $BASE/osd/\$cluster-\$id
# One OSD: one copy of everything, no placement across hosts.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = 1073741824
osd memory target = 268435456

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw thread pool size = 32
rgw enable usage log = false
rgw enable ops log = false
rgw dynamic resharding = false
rgw data = $BASE/rgw
EOF
}

print_env() { cat "$ENVFILE"; }

start_rgw() {
    alive client.rgw.a && rgw_answers && return 0
    radosgw -c "$CONF" -n client.rgw.a >>"$LOG" 2>&1
    wait_for 60 radosgw rgw_answers
}

start() {
    if alive mon.a && alive osd.0 && [ -f "$ENVFILE" ]; then
        start_rgw
        print_env; return 0
    fi
    stop_daemons
    rm -rf "$BASE"
    mkdir -p "$BASE"/{run,log,crash,mon,osd/ceph-0,rgw}
    local mon_port rgw_port fsid osd_uuid
    mon_port=$(free_port 46789)
    rgw_port=$(free_port 47480)
    printf 'mon_port=%s\nrgw_port=%s\n' "$mon_port" "$rgw_port" >"$BASE/ports"
    fsid=$(cat /proc/sys/kernel/random/uuid)
    write_conf "$mon_port" "$rgw_port" "$fsid"

    # Monitor.
    ceph-authtool --create-keyring "$BASE/keyring" --gen-key -n mon. --cap mon 'allow *' >>"$LOG" 2>&1
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$BASE/monmap" >>"$LOG" 2>&1
    ceph-mon -c "$CONF" -i a --mkfs --monmap "$BASE/monmap" --keyring "$BASE/keyring" >>"$LOG" 2>&1
    ceph-mon -c "$CONF" -i a >>"$LOG" 2>&1
    wait_for 30 ceph-mon ceph_ mon stat

    # One OSD on memstore.
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    ceph_ osd new "$osd_uuid" >>"$LOG" 2>&1
    ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$LOG" 2>&1
    ceph-osd -c "$CONF" -i 0 >>"$LOG" 2>&1
    wait_for 60 ceph-osd sh -c "timeout 10 ceph -c '$CONF' osd stat | grep -q '1 up'"

    # The S3 gateway (it makes its pools on first start), then a user.
    start_rgw
    local key secret
    local u1 u2
    u1=$(cat /proc/sys/kernel/random/uuid); u2=$(cat /proc/sys/kernel/random/uuid)
    key=PSR${u1//-/}; key=${key:0:20}; key=${key^^}
    secret=${u1//-/}${u2//-/}; secret=${secret:0:40}
    timeout 60 radosgw-admin -c "$CONF" -n client.rgw.a user create --uid=passerelle --display-name="Passerelle tests" \
        --access-key="$key" --secret-key="$secret" >>"$LOG" 2>&1
    echo "export ROK4_S3_URL=http://127.0.0.1:$rgw_port ROK4_S3_KEY=$key ROK4_S3_SECRETKEY=$secret" >"$ENVFILE"
    print_env
}

stop_one() {   # stop_one NAME: SIGTERM, then SIGKILL after 10 s
    local f=$BASE/run/$1.pid pid
    [ -f "$f" ] || return 0
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

stop_daemons() {
    [ -d "$BASE/run" ] || return 0
    stop_one client.rgw.a
    stop_one osd.0
    stop_one mon.a
}

case "${1:-}" in
    start) start ;;
    stop) stop_daemons; rm -rf "$BASE" ;;
    env) [ -f "$ENVFILE" ] && alive mon.a || { echo "no cluster running (run: $0 start)" >&2; exit 1; }; print_env ;;
    rgw-stop) stop_one client.rgw.a ;;
    rgw-start) start_rgw ;;
    *) echo "usage: $0 start|stop|env|rgw-stop|rgw-start" >&2; exit 2 ;;
esac
