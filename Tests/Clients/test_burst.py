"""A burst of hostile requests from clients that give up: the server stops the work of a client that left, its
memory comes back to where it was, and it is idle again within seconds (issue 19). Runs its own server, so that
its memory and CPU are this test's alone."""
import os
import socket
import subprocess
import threading
import time
import urllib.parse

from conftest import CONFIG

BIN = os.environ.get("PASSERELLE_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle"))
REPO = os.path.join(os.path.dirname(__file__), "..", "..")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(port, path, give_up):
    """A GET that gives up after `give_up` seconds, closing its socket as a client that times out does."""
    s = socket.create_connection(("127.0.0.1", port), timeout=give_up)
    status = None
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        first = s.recv(64)
        status = int(first.split()[1]) if first.startswith(b"HTTP/1.1 ") else None
        while s.recv(1 << 16):
            pass
    except (socket.timeout, ConnectionResetError):
        pass
    finally:
        s.close()
    return status


WMS = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "STYLES": "", "CRS": "EPSG:3857",
       "BBOX": "-600000,5000000,1100000,6700000", "FORMAT": "image/png"}
HOSTILE = [
    "/wms-v?" + urllib.parse.urlencode(dict(WMS, LAYERS=",".join(["france_admin"] * 3000), WIDTH="64", HEIGHT="64")),
    "/wms-v?" + urllib.parse.urlencode(dict(WMS, LAYERS="france_admin", WIDTH="4096", HEIGHT="4096")),
    "/wfs?" + urllib.parse.urlencode({"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "admin:communes",
                                      "OUTPUTFORMAT": "application/json",
                                      "CQL_FILTER": " OR ".join(f"nom = 'x{i}'" for i in range(2000))}),
    "/wfs?" + urllib.parse.urlencode({"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature",
                                      "TYPENAMES": ",".join(["admin:communes"] * 2000), "OUTPUTFORMAT": "application/json"}),
]


def test_a_burst_of_abandoned_hostile_requests_leaves_the_server_as_it_was(tmp_path):
    port = free_port()
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen([BIN, "serve", "--config", CONFIG, "--templates", os.path.join(REPO, "capabilities-templates"),
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "info"], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        # Warm: each kind of answer once, as a normal session would.
        assert get(port, "/wms-v?" + urllib.parse.urlencode(dict(WMS, LAYERS="france_admin", WIDTH="256", HEIGHT="256")), 60) == 200
        assert get(port, "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:communes&COUNT=10", 60) == 200
        time.sleep(1)
        before = rss_mib(server.pid)

        jobs = [HOSTILE[i % 4] for i in range(100)]
        lock = threading.Lock()

        def client():
            while True:
                with lock:
                    if not jobs:
                        return
                    path = jobs.pop()
                get(port, path, 5)

        clients = [threading.Thread(target=client) for _ in range(8)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        time.sleep(5)
        cpu0 = cpu_seconds(server.pid)
        time.sleep(2)
        busy = cpu_seconds(server.pid) - cpu0
        after = rss_mib(server.pid)
        assert busy < 0.2, f"the server still computes {busy:.2f} s of CPU in 2 s, 5 s after the last client left"
        assert after - before < 50, f"resident memory {before:.0f} MiB before the burst, {after:.0f} MiB after"
        # Still serving, and the abandoned requests were logged as such (499), not as errors.
        assert get(port, "/wms-v?" + urllib.parse.urlencode(dict(WMS, LAYERS="france_admin", WIDTH="256", HEIGHT="256")), 60) == 200
        log.flush()
        text = open(tmp_path / "server.log").read()
        assert "status=499" in text
        assert " error " not in text, [l for l in text.splitlines() if " error " in l][:5]
    finally:
        server.terminate()
        server.wait(10)
