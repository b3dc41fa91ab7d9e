"""The server's own surface: health, status, metrics, CORS, routing, hot reload of the config directory."""
import json
import os
import re
import signal
import time

from conftest import CONFIG, http


def wfs_caps():
    return http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "VERSION": "2.0.0"})


def wait_for(predicate, timeout=1.0):
    """Polls until predicate() is true; returns the elapsed seconds, or None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def test_health_and_status():
    assert http("/health").status == 200
    s = http("/status")
    assert s.status == 200
    st = s.json()
    assert st["generation"] >= 1
    assert "admin-wfs" in st["loaded"]["offerings"]
    assert st["errors"] == []


def test_metrics_count_requests():
    wfs_caps()
    m = http("/metrics").text
    assert re.search(r'passerelle_requests_total\{[^}]*endpoint="wfs"', m), m[:2000]
    assert "passerelle_config_generation" in m


def test_unknown_path_is_404():
    assert http("/nothing-here").status == 404


def test_cors_on_answers_and_preflight():
    r = wfs_caps()
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    p = http("/wfs", method="OPTIONS", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert p.status in (200, 204)
    assert "GET" in p.headers["Access-Control-Allow-Methods"]
    # errors carry CORS too
    e = http("/wfs", {"SERVICE": "WFS", "REQUEST": "NoSuchThing", "VERSION": "2.0.0"})
    assert e.status >= 400 and e.headers["Access-Control-Allow-Origin"] == "*"


def test_invalid_utf8_query_gets_an_exception():
    r = http("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&X=%FF%FE")
    assert r.status == 400
    assert b"ExceptionReport" in r.body or b"ServiceException" in r.body


def _config_path(*parts):
    return os.path.join(CONFIG, *parts)


def _rewrite(path, fn):
    with open(path) as f:
        text = f.read()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(fn(text))
    os.replace(tmp, path)  # atomic mv, as editors and deploy tools do


def test_hot_reload_edit_break_fix_delete():
    path = _config_path("configurations", "admin-wfs.json")
    with open(path) as f:
        original = f.read()
    try:
        # edit: the new title is served within a second
        _rewrite(path, lambda t: t.replace('"title": "Départements"', '"title": "Départements édités"'))
        assert wait_for(lambda: "Départements édités" in wfs_caps().text, 1.0) is not None

        # break: the error shows at /status and the last good version keeps serving
        gen = http("/status").json()["generation"]
        _rewrite(path, lambda t: t[: len(t) // 2])
        assert wait_for(lambda: http("/status").json()["generation"] > gen, 1.0) is not None
        st = http("/status").json()
        errs = [e for e in st["errors"] if e["file"] == "configurations/admin-wfs.json"]
        assert errs and errs[0]["last_good_version_serving"] is True
        assert "Départements édités" in wfs_caps().text

        # fix: back to the original, error gone
        _rewrite(path, lambda t: original)
        assert wait_for(lambda: "Départements édités" not in wfs_caps().text and not http("/status").json()["errors"], 1.0) is not None

        # delete the offering: the layer disappears; restore it
        off = _config_path("offerings", "admin-wfs.json")
        with open(off) as f:
            offering = f.read()
        os.remove(off)
        assert wait_for(lambda: "admin:departements" not in wfs_caps().text, 1.0) is not None
        with open(off, "w") as f:
            f.write(offering)
        assert wait_for(lambda: "admin:departements" in wfs_caps().text, 1.0) is not None
    finally:
        with open(path, "w") as f:
            f.write(original)


def test_requests_in_flight_survive_reloads():
    path = _config_path("configurations", "admin-wfs.json")
    with open(path) as f:
        original = f.read()
    failures = []
    try:
        for i in range(15):
            _rewrite(path, lambda t: t.replace('"title": "Régions"', f'"title": "Régions {i}"'))
            r = http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": "admin:communes",
                              "OUTPUTFORMAT": "application/json", "COUNT": "200"})
            if r.status != 200 or len(r.json()["features"]) != 200:
                failures.append(r.status)
            time.sleep(0.07)
    finally:
        with open(path, "w") as f:
            f.write(original)
    assert failures == []


def test_sighup_forces_a_reload():
    pid = int(os.environ["PASSERELLE_SERVER_PID"])
    gen = http("/status").json()["generation"]
    os.kill(pid, signal.SIGHUP)
    assert wait_for(lambda: http("/status").json()["generation"] > gen, 1.0) is not None


def test_check_config_exit_codes(tmp_path):
    import shutil
    import subprocess
    binary = os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle")
    good = tmp_path / "config"
    shutil.copytree(CONFIG, good)
    shutil.copytree(os.path.join(CONFIG, "..", "styles"), tmp_path / "styles")
    r = subprocess.run([binary, "check-config", str(good)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    (good / "configurations" / "admin-wfs.json").write_text('{"type": "WFS", "name": ')
    (good / "offerings" / "dangling.json").write_text('{"configuration": "nope", "endpoint": "wfs"}')
    r = subprocess.run([binary, "check-config", str(good)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "configurations/admin-wfs.json: $" in r.stdout
    assert "offerings/dangling.json: $.configuration" in r.stdout
