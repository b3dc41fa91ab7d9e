"""A PostGIS store that goes down and comes back (issue 19): once the server knows it is down it answers 503 at
once instead of each request waiting out the connection timeout, and it serves again within a second of the
database's return. The database is reached through a TCP relay that this test cuts and restores; the server is
the test's own (its environment names the relay)."""
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import CONFIG

BIN = os.environ.get("PASSERELLE_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle"))
REPO = os.path.join(os.path.dirname(__file__), "..", "..")
PG = os.environ.get("PASSERELLE_TEST_PG", "")


class Relay:
    """Forwards 127.0.0.1:port to the database; `cut()` refuses new connections and drops the open ones."""

    def __init__(self, target):
        self.target = target
        self.port = None
        self.listener = None
        self.conns = []
        self.lock = threading.Lock()

    def restore(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(1 << 16):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)   # wakes the accepting thread, which lets the port go
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns = []


def wfs(port):
    q = urllib.parse.urlencode({"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "admin_pg:departements",
                                "COUNT": "1", "OUTPUTFORMAT": "application/json"})
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/wfs?{q}", timeout=30) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    return status, time.monotonic() - start


@pytest.mark.skipif(not PG, reason="needs the test PostGIS cluster (scripts/test.sh starts it)")
def test_a_database_that_is_down_is_answered_at_once_and_served_again_within_a_second(tmp_path):
    u = urllib.parse.urlparse(PG)
    relay = Relay((u.hostname or "127.0.0.1", u.port or 5432))
    relay.restore()
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    pg_config = os.path.join(os.path.dirname(__file__), "postgis-config")
    for folder in ("stored_data", "configurations", "offerings"):
        for f in os.listdir(os.path.join(pg_config, folder)):
            text = open(os.path.join(pg_config, folder, f)).read().replace("PASSERELLE_TEST_PG", "BREAKER_TEST_PG")
            (config / folder / f).write_text(text)
    relayed = PG.replace(f"{u.hostname}:{u.port}", f"127.0.0.1:{relay.port}")
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    p = port.getsockname()[1]
    port.close()
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([BIN, "serve", "--config", str(config), "--templates", os.path.join(REPO, "capabilities-templates"),
                               "--host", "127.0.0.1", "--port", str(p)], stdout=log, stderr=log,
                              env=dict(os.environ, BREAKER_TEST_PG=relayed))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", p), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        assert wfs(p)[0] == 200
        relay.cut()
        status, _ = wfs(p)
        assert status == 503
        # Known down: answered at once, not after the connection timeout.
        for _ in range(5):
            status, took = wfs(p)
            assert status == 503 and took < 1, (status, took)
        relay.restore()
        back = time.monotonic()
        while True:
            status, _ = wfs(p)
            if status == 200:
                break
            assert time.monotonic() - back < 1.5, "not served again within a second of the database's return"
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(10)
        relay.cut()
