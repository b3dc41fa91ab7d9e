"""Faults: the PostGIS server goes down and comes back; the server answers 503 meanwhile and recovers by itself."""
import os
import subprocess
import time
import urllib.parse

import pytest

from conftest import http

PG = os.environ.get("PASSERELLE_TEST_PG")
pytestmark = pytest.mark.skipif(not PG, reason="needs the PostGIS test cluster")
PG_BIN = "/usr/lib/postgresql/15/bin"


def psql(sql):
    return subprocess.run(["psql", PG, "-Atc", sql], capture_output=True, text=True, timeout=30)


def pg_features():
    return http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": "admin_pg:departements",
                         "COUNT": "3", "OUTPUTFORMAT": "application/json"})


def as_postgres(args):
    cmd = args if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_killed_connections_recover():
    assert pg_features().status == 200
    psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'gis' AND pid <> pg_backend_pid()")
    statuses = [pg_features().status for _ in range(5)]
    assert statuses[-1] == 200, statuses
    assert all(s in (200, 503) for s in statuses), statuses


def test_database_down_is_503_then_recovers_without_restart():
    datadir = psql("SHOW data_directory").stdout.strip()
    assert datadir, "cannot read the data directory"
    with open(os.path.join(datadir, "postmaster.opts")) as f:
        opts = f.read().strip()
    assert pg_features().status == 200
    as_postgres([f"{PG_BIN}/pg_ctl", "-D", datadir, "-m", "fast", "-w", "stop"])
    try:
        start = time.monotonic()
        r = pg_features()
        assert r.status == 503, r.body[:500]
        assert b"ServiceUnavailable" in r.body and r.headers.get("Retry-After")
        assert time.monotonic() - start < 15
        # everything else keeps serving meanwhile
        assert http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).status == 200
    finally:
        as_postgres(["sh", "-c", f"{opts} >/dev/null 2>&1 &"])
        for _ in range(100):
            if psql("SELECT 1").returncode == 0:
                break
            time.sleep(0.1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and pg_features().status != 200:
        time.sleep(0.5)
    assert pg_features().status == 200
