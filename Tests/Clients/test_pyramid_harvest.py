"""`passerelle pyramid harvest` against the running server's own WMS-VECTOR on loopback (the demo communes
around Lyon): the slabs touching the area are harvested, the level between the harvested ones is made from
the level below, the reference ROK4 reader reads the result and the server serves it; a WMS that fails is
retried and then reported with the URL."""
import hashlib
import json
import os
import subprocess

import pytest

from conftest import BASE, http
from test_pyramid_raster import BIN, CONFIG, REPO, publish, rok4_python, wait_for

NAME = "ZZ_HARVEST_LYON"
LAYER = "zz_harvest_lyon"
AREA = "POLYGON((4.80 45.72,4.88 45.72,4.88 45.78,4.80 45.78,4.80 45.72))"


def harvest(*extra, check=True):
    r = subprocess.run([BIN, "pyramid", "harvest", "--url", BASE + "/wms-v", "--layers", "france_admin",
                        "--format", "image/png", "--area", AREA, "--config", CONFIG, *extra],
                       capture_output=True, text=True, timeout=600)
    if check:
        assert r.returncode == 0, r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def harvested():
    assert CONFIG and os.path.exists(BIN)
    r = harvest("--name", NAME, "--bottom-level", "14", "--top-level", "11", "--harvest-levels", "14,12",
                "--compression", "png", "--channels", "4", "--extras", "TRANSPARENT=TRUE", "--slab-width", "4",
                "--slab-height", "4", "--dimensions", "512x512", "--jobs", "2")
    desc = os.path.join(CONFIG, "pyramids", NAME + ".json")
    reader = subprocess.run([rok4_python(), os.path.join(REPO, "Tests", "Clients", "rok4_read.py"), desc,
                             os.path.join(CONFIG, "tilematrixsets")], capture_output=True, text=True, timeout=600)
    assert reader.returncode == 0, reader.stderr[-3000:]
    made = publish(LAYER, NAME, ["11", "12", "13", "14"], fmt_endpoints=("wmts",))
    yield {"log": r.stderr, "read": json.loads(reader.stdout)}
    for p in made + [os.path.join(CONFIG, "stored_data", NAME + ".json")]:
        if os.path.exists(p):
            os.remove(p)


def test_harvest_reads_back_with_the_reference_reader(harvested):
    rd = harvested["read"]
    assert rd["format"] == "TIFF_PNG_UINT8" and rd["channels"] == 4 and rd["nodata"] == "255,255,255,0"
    assert sorted(rd["levels"], key=int) == ["11", "12", "13", "14"]
    for lid in ("12", "14"):
        assert len(rd["levels"][lid]["tiles"]) > 0
    # Level 14 (PM tiles of 2446 m): the area is 8.9 km x 9.6 km in Web Mercator units, so 4-5 x 4-5 tiles.
    lim = rd["levels"]["14"]["limits"]
    assert 4 <= lim["max_col"] - lim["min_col"] + 1 <= 5 and 4 <= lim["max_row"] - lim["min_row"] + 1 <= 5
    # Harvested levels 14 and 12; 13 and 11 built from the level below.
    assert "harvested: 12,14" in harvested["log"]


def test_harvested_tiles_served_byte_for_byte(harvested):
    rd = harvested["read"]
    assert wait_for(lambda: http(f"/tms/1.0.0/{LAYER}").status == 200)
    n = 0
    for lid, lv in rd["levels"].items():
        for key, sha in lv["tiles"].items():
            col, row = key.split(",")
            r = http(f"/tms/1.0.0/{LAYER}/{lid}/{col}/{row}.png")
            assert r.status == 200 and hashlib.sha256(r.body).hexdigest() == sha, (lid, key)
            n += 1
    assert n >= 6


def test_harvested_tile_matches_a_direct_getmap(harvested, tmp_path):
    """A harvested level-14 tile holds what the WMS draws for that tile's bbox (same bytes once decoded)."""
    from osgeo import gdal
    rd = harvested["read"]
    lv = rd["levels"]["14"]
    key = sorted(lv["tiles"])[0]
    col, row = (int(v) for v in key.split(","))
    span = 2 * 20037508.3427892 / 2 ** 14
    x0, y1 = -20037508.3427892 + col * span, 20037508.3427892 - row * span
    # One GetMap per 512 px piece; a tile at the piece's top-left corner lines up with a 256 px GetMap there.
    direct = http("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "france_admin", "STYLES": "",
                             "CRS": "EPSG:3857", "BBOX": f"{x0},{y1 - span},{x0 + span},{y1}", "WIDTH": 256, "HEIGHT": 256,
                             "FORMAT": "image/png", "TRANSPARENT": "TRUE"})
    assert direct.status == 200
    tile = http(f"/tms/1.0.0/{LAYER}/14/{col}/{row}.png")
    (tmp_path / "a.png").write_bytes(direct.body)
    (tmp_path / "b.png").write_bytes(tile.body)
    def rgba(p):
        ds = gdal.Open(str(p))
        if ds.GetRasterBand(1).GetColorTable() is not None:  # the server writes maps of few colours paletted
            ds = gdal.Translate("", ds, format="MEM", rgbExpand="rgba")
        return ds
    a, b = rgba(tmp_path / "a.png"), rgba(tmp_path / "b.png")
    # Fill colours agree (labels may be placed differently across GetMap pieces): compare band means.
    for i in (1, 2, 3, 4):
        ma = a.GetRasterBand(i).ComputeStatistics(False)[2]
        mb = b.GetRasterBand(i).ComputeStatistics(False)[2]
        assert abs(ma - mb) < 12, (i, ma, mb)


def test_failed_getmap_retried_then_reported_with_its_url():
    r = subprocess.run([BIN, "pyramid", "harvest", "--url", BASE + "/no-such-wms", "--layers", "x", "--format", "image/png",
                        "--area", AREA, "--config", CONFIG, "--name", "ZZ_HARVEST_FAIL", "--bottom-level", "12",
                        "--retries", "1", "--quiet"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "GetMap failed after 2 attempts" in r.stderr and BASE + "/no-such-wms?" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(CONFIG, "stored_data", "ZZ_HARVEST_FAIL.json"))


def test_area_must_be_wkt():
    r = subprocess.run([BIN, "pyramid", "harvest", "--url", BASE + "/wms-v", "--layers", "x", "--area", "POLYGON((1 2",
                        "--config", CONFIG, "--name", "ZZ_BAD", "--bottom-level", "12"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "--area" in r.stderr


def test_harvest_update_by_reference(harvested):
    """A new area east of the first: only the slabs it touches are harvested; the others are symbolic links to
    the first pyramid's slabs (root 1 of the list); every tile of the first pyramid is still there."""
    name = NAME + "_UPD"
    east = "POLYGON((4.90 45.72,4.95 45.72,4.95 45.76,4.90 45.76,4.90 45.72))"
    r = subprocess.run([BIN, "pyramid", "harvest", "--url", BASE + "/wms-v", "--layers", "france_admin", "--format", "image/png",
                        "--area", east, "--config", CONFIG, "--name", name, "--bottom-level", "14", "--top-level", "11",
                        "--harvest-levels", "14,12", "--compression", "png", "--channels", "4", "--extras", "TRANSPARENT=TRUE",
                        "--dimensions", "512x512", "--update-from", NAME], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert " linked to " + NAME in r.stderr
    lines = open(os.path.join(CONFIG, "pyramids", name + ".list")).read().splitlines()
    assert lines[:3] == [f"0={name}", f"1={NAME}", "#"]
    linked = [x for x in lines if x.startswith("1/")]
    assert linked and all(os.path.islink(os.path.join(CONFIG, "pyramids", name, x[2:])) for x in linked)
    reader = subprocess.run([rok4_python(), os.path.join(REPO, "Tests", "Clients", "rok4_read.py"),
                             os.path.join(CONFIG, "pyramids", name + ".json"), os.path.join(CONFIG, "tilematrixsets")],
                            capture_output=True, text=True, timeout=600)
    assert reader.returncode == 0, reader.stderr[-2000:]
    new, old = json.loads(reader.stdout)["levels"], harvested["read"]["levels"]
    for lid in old:
        assert set(old[lid]["tiles"]) <= set(new[lid]["tiles"]), lid
    # The east area adds level-14 tiles the first pyramid did not have.
    assert len(new["14"]["tiles"]) > len(old["14"]["tiles"])
    os.remove(os.path.join(CONFIG, "stored_data", name + ".json"))
