"""Restricted offerings: invisible without a key, usable with it in OWSLib and GDAL."""
import json
import subprocess

from owslib.wfs import WebFeatureService

from conftest import BASE, DEMO_KEY, http


def caps(params=None, headers=None):
    p = {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "VERSION": "2.0.0"}
    p.update(params or {})
    return http("/private/wfs", p, headers=headers)


def test_no_key_is_401_with_an_exception_and_no_layer_names():
    r = caps()
    assert r.status == 401
    assert b"ExceptionReport" in r.body
    assert b"restricted" not in r.body


def test_wrong_key_is_403():
    r = caps({"apikey": "not-the-key"})
    assert r.status == 403
    assert b"restricted" not in r.body


def test_key_shows_the_offering_and_keeps_the_key_in_urls():
    r = caps({"apikey": DEMO_KEY})
    assert r.status == 200
    assert b"restricted:communes" in r.body
    assert b"apikey=" + DEMO_KEY.encode() in r.body
    assert "private" in r.headers.get("Cache-Control", "")


def test_key_in_header_works():
    r = caps(headers={"apikey": DEMO_KEY})
    assert r.status == 200 and b"restricted:communes" in r.body


def test_key_in_a_form_encoded_post_body_works():
    import urllib.parse
    form = lambda extra: urllib.parse.urlencode({"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0",
                                                 "TYPENAMES": "restricted:communes", "COUNT": "2",
                                                 "OUTPUTFORMAT": "application/json", **extra}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    r = http("/private/wfs", method="POST", data=form({"apikey": DEMO_KEY}), headers=headers)
    assert r.status == 200, r.body[:300]
    assert len(json.loads(r.body)["features"]) == 2
    assert http("/private/wfs", method="POST", data=form({}), headers=headers).status == 401


def test_restricted_layer_not_on_open_endpoint():
    r = http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": "restricted:communes"})
    assert r.status == 400
    assert b"InvalidParameterValue" in r.body


def test_owslib_with_key():
    wfs = WebFeatureService(f"{BASE}/private/wfs?apikey={DEMO_KEY}", version="2.0.0")
    assert "restricted:communes" in wfs.contents
    resp = wfs.getfeature(typename=["restricted:communes"], outputFormat="application/json", maxfeatures=5)
    assert len(json.loads(resp.read())["features"]) == 5


def test_gdal_with_key():
    r = subprocess.run(["ogrinfo", "-ro", "-q", f"WFS:{BASE}/private/wfs?VERSION=2.0.0&apikey={DEMO_KEY}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "restricted:communes" in r.stdout
