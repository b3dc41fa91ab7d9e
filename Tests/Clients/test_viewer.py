"""`/viewer?offering=ID`: each demo offering on a map, drawn by headless Chromium with no console message and a
map that is not blank; restricted offerings only with their key."""
import json
import os
import re
import shutil
import subprocess
import time

import numpy as np
import pytest
from osgeo import gdal

from conftest import BASE, DEMO_KEY, http

CHROMIUM = shutil.which("chromium")
DEMO = {"france-wms-v": "wms", "france-relief-wms-r": "wms", "admin-wfs": "wfs", "france-relief-wmts": "tiles",
        "rhone-rgba-wmts": "tiles", "rhone-admin-tms": "vectortiles"}


def config_of(page):
    m = re.search(r'<script id="offering" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


@pytest.mark.parametrize("offering,kind", DEMO.items())
def test_each_demo_offering_has_its_map(offering, kind):
    r = http("/viewer", {"offering": offering})
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    cfg = config_of(r.text)
    assert cfg["kind"] == kind, cfg
    if kind in ("wms", "wfs"):
        assert len(cfg["bbox"]) == 4   # the configuration's bbox or the stored data's extent: the map opens on it
    if kind == "wms":
        assert http(cfg["url"][len(BASE):], {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).status == 200
    if kind in ("tiles", "vectortiles"):
        tile = cfg["tiles"].replace("{z}", str(cfg["maxZoom"]))
        assert "{x}/{y}" in tile and cfg["minZoom"] <= cfg["maxZoom"]


def test_assets_are_served_from_the_binary():
    for name, ct in (("leaflet.js", "text/javascript"), ("leaflet.css", "text/css"), ("viewer.js", "text/javascript"),
                     ("mvt.js", "text/javascript")):
        r = http(f"/viewer/{name}")
        assert r.status == 200 and r.headers["Content-Type"].startswith(ct) and len(r.body) > 1000, name
    assert http("/viewer/nope.js").status == 404


def test_restricted_offering_only_with_its_key():
    assert http("/viewer", {"offering": "communes-private-wfs"}).status == 404
    assert http("/viewer", {"offering": "no-such-offering"}).status == 404
    r = http("/viewer", {"offering": "communes-private-wfs", "apikey": DEMO_KEY})
    assert r.status == 200 and config_of(r.text)["apikey"] == DEMO_KEY


@pytest.mark.skipif(not CHROMIUM, reason="chromium is installed by scripts/setup-debian.sh test")
@pytest.mark.parametrize("offering", ["france-wms-v", "france-relief-wms-r", "admin-wfs", "france-relief-wmts", "rhone-admin-tms"])
def test_chromium_draws_the_map_with_no_console_message(offering, tmp_path):
    shot = tmp_path / "shot.png"
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                        f"--user-data-dir={tmp_path / 'profile'}", "--window-size=900,700", "--virtual-time-budget=8000",
                        f"--screenshot={shot}", f"{BASE}/viewer?offering={offering}"],
                       capture_output=True, text=True, timeout=120)
    console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l]
    assert console == [], console
    ds = gdal.Open(str(shot))
    pixels = np.stack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(3)], axis=-1)
    band = pixels[60:520, 100:800].reshape(-1, 3)
    colours = len(np.unique(band, axis=0))
    assert colours > 20, f"the map area looks blank ({colours} colours)"


class DevTools:
    """Headless Chromium driven over its DevTools protocol (python3-websocket)."""

    def __init__(self, profile):
        import websocket
        self.proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                                      f"--user-data-dir={profile}", "--window-size=900,700", "about:blank"],
                                     stderr=subprocess.PIPE, text=True)
        for line in self.proc.stderr:
            if "DevTools listening on" in line:
                port = re.search(r"ws://[^:]+:(\d+)/", line).group(1)
                break
        pages = json.loads(http_get(f"http://127.0.0.1:{port}/json/list"))
        page = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                return msg.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def wait_for(self, expression, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        return None

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)


def http_get(url):
    import urllib.request
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


@pytest.mark.skipif(not CHROMIUM, reason="chromium is installed by scripts/setup-debian.sh test")
def test_a_click_on_a_commune_shows_its_name(tmp_path):
    browser = DevTools(tmp_path / "profile")
    try:
        browser.call("Page.navigate", url=f"{BASE}/viewer?offering=france-wms-v")
        assert browser.wait_for("typeof passerelleMap !== 'undefined' && document.readyState === 'complete'")
        # Lyon (the Hôtel de ville), where the demo has its communes: zoomed in, then clicked.
        browser.evaluate("passerelleMap.setView([45.7676, 4.8357], 11, {animate: false}); true")
        point = browser.evaluate("""(function () {
            var p = passerelleMap.latLngToContainerPoint([45.7676, 4.8357]);
            var r = document.getElementById('map').getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        })()""")
        browser.click(*point)
        shown = browser.wait_for("document.getElementById('info').textContent.indexOf('Lyon') >= 0 && document.getElementById('info').textContent")
        assert shown and "nom" in shown, browser.evaluate("document.getElementById('info').textContent")
    finally:
        browser.close()
