"""Stateless replicas behind a load balancer (issue 15): two Passerelle processes serve the same config directory
behind HAProxy on loopback; one is killed (SIGKILL) under a load of WMS GetMap, WFS GetFeature, WMTS GetTile and
GetCapabilities requests and started again: no request fails (HAProxy retries idempotent requests on the other
server), and both servers served requests. Then a config edit is seen by both servers within a second.
HAProxy is a test dependency (scripts/setup-debian.sh test installs it): its absence is a failure, not a skip."""
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from conftest import CONFIG

HERE = os.path.dirname(__file__)
BINARY = os.environ.get("PASSERELLE_BIN", os.path.join(HERE, "..", "..", ".build", "debug", "passerelle"))
TEMPLATES = os.path.join(HERE, "..", "..", "capabilities-templates")

REQUESTS = [
    ("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "france_admin", "STYLES": "", "CRS": "EPSG:3857",
                "BBOX": "500000,5700000,600000,5800000", "WIDTH": "128", "HEIGHT": "128", "FORMAT": "image/png"}, b"\x89PNG"),
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "admin:regions",
              "OUTPUTFORMAT": "application/json"}, b"{"),
    ("/wmts", {"SERVICE": "WMTS", "VERSION": "1.0.0", "REQUEST": "GetTile", "LAYER": "france_relief", "STYLE": "normal",
               "TILEMATRIXSET": "PM", "TILEMATRIX": "5", "TILEROW": "11", "TILECOL": "16", "FORMAT": "image/jpeg"}, b"\xff\xd8"),
    ("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}, b"<"),
    ("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"}, b"<"),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path, params, timeout=30):
    url = f"http://127.0.0.1:{port}{path}?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Passerelle:
    """One server process on a port of its own, which can be killed and started again on the same port."""

    def __init__(self, config, port, log_path):
        self.config, self.port, self.log_path = config, port, log_path
        self.process = None

    def start(self):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen([BINARY, "serve", "--config", str(self.config), "--templates", TEMPLATES,
                                         "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "info"],
                                        stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, f"passerelle exited: {open(self.log_path).read()[-2000:]}"
            try:
                if get(self.port, "/health", {}, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline, "passerelle did not start"
            time.sleep(0.1)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class HAProxy:
    def __init__(self, tmp_path, backends):
        self.port = free_port()
        self.socket_path = str(tmp_path / "haproxy.sock")
        self.cfg = tmp_path / "haproxy.cfg"
        servers = "\n".join(f"    server p{i + 1} 127.0.0.1:{p} check" for i, p in enumerate(backends))
        self.cfg.write_text(f"""
global
    maxconn 2000
    stats socket {self.socket_path} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout queue 10s
    retries 3
    option redispatch 1
    retry-on all-retryable-errors
    option httplog

frontend replicas
    bind 127.0.0.1:{self.port}
    default_backend passerelle

backend passerelle
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 300ms fastinter 100ms downinter 300ms fall 2 rise 1
{servers}
""")
        self.log = open(tmp_path / "haproxy.log", "w")
        self.process = None

    def start(self):
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        assert os.path.exists(haproxy), "haproxy is not installed: run scripts/setup-debian.sh test"
        check = subprocess.run([haproxy, "-c", "-f", str(self.cfg)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.process = subprocess.Popen([haproxy, "-db", "-f", str(self.cfg)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while True:
            assert self.process.poll() is None, "haproxy exited"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "haproxy did not start"
                time.sleep(0.1)

    def stats(self):
        """Per server: its state and the requests it was sent (stot), from the stats socket."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.socket_path)
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        s.close()
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {r["svname"]: r for r in rows if r["pxname"] == "passerelle" and r["svname"] not in ("FRONTEND", "BACKEND")}

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()


class Load:
    def __init__(self, port, threads=6):
        self.port = port
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def run(self, i):
        n = i
        while not self.stopping.is_set():
            path, params, magic = REQUESTS[n % len(REQUESTS)]
            n += 1
            try:
                status, body = get(self.port, path, params)
                problem = None if status == 200 and body.startswith(magic) else f"{params['REQUEST']}: HTTP {status} {body[:200]!r}"
                if problem is None and path == "/wfs" and params["REQUEST"] == "GetFeature" and len(json.loads(body)["features"]) != 13:
                    problem = "GetFeature: wrong feature count"
            except (OSError, ValueError) as e:
                problem = f"{params['REQUEST']}: {type(e).__name__}: {e}"
            with self.lock:
                if problem:
                    self.failures.append(problem)
                else:
                    self.ok += 1

    def count(self):
        with self.lock:
            return self.ok

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(60)


def wait_until(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_two_replicas_behind_haproxy_lose_no_request_when_one_is_killed_and_both_see_a_config_edit(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    styles = os.path.join(CONFIG, "..", "styles")   # the SLDs the WMS layers name, beside the config directory
    assert os.path.isdir(styles), styles
    shutil.copytree(styles, tmp_path / "styles")
    servers = [Passerelle(config, free_port(), tmp_path / f"passerelle-{i}.log") for i in (1, 2)]
    proxy = HAProxy(tmp_path, [s.port for s in servers])
    try:
        for s in servers:
            s.start()
        proxy.start()
        wait_until(lambda: all(r["status"] == "UP" for r in proxy.stats().values()), 10, "haproxy does not see both servers up")

        with Load(proxy.port) as load:
            # About 3 s of load on both, the kill, about 3 s on one, the restart, about 3 s on both again.
            started = time.monotonic()
            wait_until(lambda: load.count() >= 40 and time.monotonic() - started > 3, 60, "too few answers before the kill")
            servers[0].kill()
            killed, killed_at = time.monotonic(), load.count()
            wait_until(lambda: proxy.stats()["p1"]["status"].startswith("DOWN"), 10, "haproxy did not mark the killed server down")
            wait_until(lambda: load.count() >= killed_at + 40 and time.monotonic() - killed > 3, 60, "too few answers with one server")
            servers[0].start()
            wait_until(lambda: proxy.stats()["p1"]["status"] == "UP", 10, "haproxy did not take the restarted server back")
            back, back_at, restarted = int(proxy.stats()["p1"]["stot"]), load.count(), time.monotonic()
            wait_until(lambda: load.count() >= back_at + 40 and time.monotonic() - restarted > 3, 60, "too few answers after the restart")
        assert load.failures == [], f"{len(load.failures)} failed of {load.ok + len(load.failures)}: {load.failures[:5]}"
        stats = proxy.stats()
        # Both served, and the restarted one again after its return.
        assert int(stats["p2"]["stot"]) > 0
        assert int(stats["p1"]["stot"]) > back, (back, stats["p1"]["stot"])
        assert int(proxy.stats()["p1"]["stot"]) > 0

        # A title edit (atomic rename, as deploy tools do) reaches both servers within a second.
        path = config / "configurations" / "admin-wfs.json"
        text = path.read_text()
        assert '"title": "Régions"' in text
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text.replace('"title": "Régions"', '"title": "Régions (réplicas)"'))
        edited = time.monotonic()
        os.replace(tmp, path)
        caps = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetCapabilities"}
        seen = {}
        while len(seen) < 2 and time.monotonic() - edited < 5:
            for s in servers:
                if s.port not in seen and "Régions (réplicas)".encode() in get(s.port, "/wfs", caps)[1]:
                    seen[s.port] = time.monotonic() - edited
            time.sleep(0.02)
        assert len(seen) == 2 and max(seen.values()) < 1.0, f"seen after {seen} s"
        assert "Régions (réplicas)".encode() in get(proxy.port, "/wfs", caps)[1]
    finally:
        proxy.stop()
        for s in servers:
            s.stop()
