"""Shared helpers for the real-client tests: the running server's URL, HTTP helpers, XSD validation."""
import contextlib
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

BASE = os.environ.get("PASSERELLE_URL", "http://127.0.0.1:8080")
CONFIG = os.environ.get("PASSERELLE_CONFIG", "")
SCHEMAS = os.environ.get("PASSERELLE_SCHEMAS", os.path.join(os.path.dirname(__file__), "..", "Schemas"))
DEMO_KEY = "demo-key-passerelle"


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def http(path, params=None, method="GET", data=None, headers=None):
    url = BASE + path
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())


def validate(xml_bytes, xsd_relpath, tmp_path):
    """Validates a document against an OGC schema from the offline copy; returns xmllint's output on failure."""
    doc = tmp_path / "doc.xml"
    doc.write_bytes(xml_bytes)
    env = dict(os.environ, XML_CATALOG_FILES=os.path.join(SCHEMAS, "catalog.xml"))
    r = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", os.path.join(SCHEMAS, xsd_relpath), str(doc)],
                       capture_output=True, text=True, env=env, cwd=SCHEMAS)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.fixture
def base():
    return BASE


@pytest.fixture
def config_dir():
    assert CONFIG, "PASSERELLE_CONFIG is not set (run through scripts/client-tests.sh)"
    return CONFIG


@contextlib.contextmanager
def own_server(config, log_path, env=None, binary=None):
    """A server of the test's own (its memory, CPU and environment are the test's alone) on a free port; yields
    (port, process) once it accepts connections, and stops it after."""
    binary = binary or os.environ.get("PASSERELLE_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle"))
    templates = os.path.join(os.path.dirname(__file__), "..", "..", "capabilities-templates")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(log_path, "w")
    server = subprocess.Popen([binary, "serve", "--config", str(config), "--templates", templates, "--host", "127.0.0.1",
                               "--port", str(port), "--log-level", "info"], stdout=log, stderr=log,
                              env=dict(os.environ, **(env or {})))
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, server
    finally:
        server.terminate()
        server.wait(10)
        log.close()
