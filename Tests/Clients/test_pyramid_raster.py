"""`passerelle pyramid raster` end to end: an image made from the demo server's own WMS-raster output (a real
Lambert-93 GeoTIFF, and a JPEG + world file), built into a pyramid inside the running server's config
directory, read back with the reference ROK4 reader (PyPI rok4 2.2.3, venv of scripts/rok4-venv.sh) and
fetched over WMTS, TMS and WMS: every tile the reader finds is served byte for byte, every other one is the pyramid's nodata tile."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import time

import pytest
from osgeo import gdal

from conftest import http

gdal.UseExceptions()
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PASSERELLE_BIN", os.path.join(REPO, ".build", "debug", "passerelle"))
CONFIG = os.environ.get("PASSERELLE_CONFIG", "")
NAME = "ZZ_PYRAMID_LYON"
LAYER = "zz_pyramid_lyon"
# Lyon and around, Lambert 93.
L93 = (830000.0, 6500000.0, 870000.0, 6540000.0)


def rok4_python():
    r = subprocess.run([os.path.join(REPO, "scripts", "rok4-venv.sh")], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip().splitlines()[-1]


def run_pyramid(*args):
    r = subprocess.run([BIN, "pyramid", "raster", *args], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stderr


def publish(layer, stored, levels, fmt_endpoints=("wmts", "wms-r")):
    """Publishes the stored data with `passerelle publish` (WMTS-TMS, and WMS-RASTER on wms-r): no hand-written
    JSON between the pyramid and the services. Returns the files it wrote, for the teardown."""
    made = []
    for ep in fmt_endpoints:
        kind = "wmts" if ep == "wmts" else "wms-raster"
        cid = f"{layer}-{ep}"
        r = subprocess.run([BIN, "publish", kind, "--config", CONFIG, "--stored-data", stored, "--endpoint", ep,
                            "--id", cid, "--layer-name", layer, "--title", layer, "--top-level", levels[0],
                            "--bottom-level", levels[-1]], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:] + r.stdout[-2000:]
        made += [os.path.join(CONFIG, "configurations", cid + ".json"), os.path.join(CONFIG, "offerings", cid + ".json")]
    return made


def wait_for(pred, timeout=5.0):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if pred():
            return time.time() - t0
        time.sleep(0.1)
    return None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    assert CONFIG, "PASSERELLE_CONFIG is not set (run through scripts/client-tests.sh)"
    assert os.path.exists(BIN), BIN
    work = tmp_path_factory.mktemp("pyr")
    # A Lambert-93 image: the demo relief through the server's own WMS-raster, as a GeoTIFF.
    r = http("/wms-r", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "france_relief",
                        "STYLES": "", "CRS": "EPSG:2154", "BBOX": ",".join(str(v) for v in L93),
                        "WIDTH": 700, "HEIGHT": 700, "FORMAT": "image/png"})
    assert r.status == 200, r.body[:300]
    png = work / "lyon.png"
    png.write_bytes(r.body)
    tif = str(work / "lyon_l93.tif")
    gdal.Translate(tif, str(png), outputSRS="EPSG:2154", outputBounds=[L93[0], L93[3], L93[2], L93[1]],
                   bandList=[1, 2, 3])
    made = []
    yield {"work": work, "tif": tif, "png": str(png), "made": made}
    for p in made:
        if os.path.exists(p):
            os.remove(p)
    for sd in (NAME, NAME + "_WLD"):
        p = os.path.join(CONFIG, "stored_data", sd + ".json")
        if os.path.exists(p):
            os.remove(p)


@pytest.fixture(scope="module")
def pyramid(built):
    log = run_pyramid(built["tif"], "--config", CONFIG, "--name", NAME, "--tms", "PM", "--bottom-level", "12",
                      "--top-level", "8", "--compression", "png", "--mask", "--slab-width", "4", "--slab-height", "4",
                      "--resampling", "bicubic", "--jobs", "2")
    desc = os.path.join(CONFIG, "pyramids", NAME + ".json")
    reader = subprocess.run([rok4_python(), os.path.join(REPO, "Tests", "Clients", "rok4_read.py"), desc,
                             os.path.join(CONFIG, "tilematrixsets")], capture_output=True, text=True, timeout=600)
    assert reader.returncode == 0, reader.stderr[-3000:]
    built["made"] += publish(LAYER, NAME, [str(lv) for lv in range(8, 13)])
    return {"log": log, "desc": desc, "read": json.loads(reader.stdout)}


def test_descriptor_as_the_reference_reader_reads_it(pyramid):
    rd = pyramid["read"]
    assert rd["name"] == NAME and rd["format"] == "TIFF_PNG_UINT8" and rd["tms"] == "PM"
    assert rd["channels"] == 3 and rd["nodata"] == "255,255,255" and rd["own_masks"] is True
    assert sorted(rd["levels"], key=int) == ["8", "9", "10", "11", "12"]
    for name, s in rd["raster_samples"].items():
        assert s["shape"] == [256, 256, 3], name
    assert sum(len(lv["tiles"]) for lv in rd["levels"].values()) > 20
    # The list holds every data and mask slab.
    slabs = sum(1 for line in open(os.path.join(CONFIG, "pyramids", NAME + ".list")) if line.startswith("0/"))
    assert rd["list_count"] == slabs and slabs > 0
    with open(os.path.join(CONFIG, "stored_data", NAME + ".json")) as f:
        sd = json.load(f)
    assert sd["type"] == "ROK4-PYRAMID-RASTER" and sd["storage"] == {"type": "FILESYSTEM", "path": f"pyramids/{NAME}.json", "labels": []}
    assert sd["type_infos"]["compression"] == "PNG" and sd["type_infos"]["channels_number"] == 3


def test_every_tile_served_as_the_reader_reads_it(pyramid):
    rd = pyramid["read"]
    assert wait_for(lambda: http(f"/tms/1.0.0/{LAYER}").status == 200), "the layer was not published within 5 s"
    served = 0
    for lid, lv in rd["levels"].items():
        lim = lv["limits"]
        for row in range(lim["min_row"] - 1, lim["max_row"] + 2):
            for col in range(lim["min_col"] - 1, lim["max_col"] + 2):
                key = f"{col},{row}"
                r = http(f"/tms/1.0.0/{LAYER}/{lid}/{col}/{row}.png")
                if key in lv["tiles"]:
                    assert r.status == 200, (lid, key, r.status)
                    assert hashlib.sha256(r.body).hexdigest() == lv["tiles"][key], (lid, key)
                    served += 1
                else:
                    # A tile of the matrix without data: a nodata tile (transparent PNG), not an error.
                    assert r.status == 200 and r.body.startswith(b"\x89PNG"), (lid, key, r.status)
                    assert hashlib.sha256(r.body).hexdigest() not in lv["tiles"].values()
        # One tile per level through WMTS KVP too.
        key = next(iter(lv["tiles"]))
        col, row = key.split(",")
        w = http("/wmts", {"SERVICE": "WMTS", "REQUEST": "GetTile", "VERSION": "1.0.0", "LAYER": LAYER, "STYLE": "normal",
                           "TILEMATRIXSET": "PM", "TILEMATRIX": lid, "TILEROW": row, "TILECOL": col, "FORMAT": "image/png"})
        assert w.status == 200, w.body[:300]
        assert hashlib.sha256(w.body).hexdigest() == lv["tiles"][key]
    assert served == sum(len(lv["tiles"]) for lv in rd["levels"].values())


def test_wms_map_of_the_new_pyramid(pyramid, tmp_path):
    assert wait_for(lambda: b"zz_pyramid_lyon" in http("/wms-r", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).body)
    r = http("/wms-r", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": LAYER, "STYLES": "",
                        "CRS": "EPSG:4326", "BBOX": "45.70,4.80,45.80,4.90", "WIDTH": 256, "HEIGHT": 256, "FORMAT": "image/png"})
    assert r.status == 200 and r.headers["Content-Type"].startswith("image/png"), r.body[:300]
    p = tmp_path / "m.png"
    p.write_bytes(r.body)
    ds = gdal.Open(str(p))
    stats = ds.GetRasterBand(1).ComputeStatistics(False)
    assert stats[1] - stats[0] > 10, stats  # not a flat image


def test_masks_read_by_gdal(pyramid):
    """Mask slabs are plain tiled deflate TIFFs: 255 where the image has data."""
    mask_dir = os.path.join(CONFIG, "pyramids", NAME, "MASK", "12")
    slabs = [os.path.join(d, f) for d, _, fs in os.walk(mask_dir) for f in fs if f.endswith(".tif")]
    assert slabs
    values = set()
    for s in slabs:
        ds = gdal.Open(s)
        assert ds.RasterXSize == 1024 and ds.RasterCount == 1
        values |= set(int(v) for v in set(ds.GetRasterBand(1).ReadAsArray().ravel().tolist()))
    assert values <= {0, 255} and 255 in values


def test_rerun_resumes_and_skips_finished_slabs(pyramid):
    log = run_pyramid(pyramid_input_again(), "--config", CONFIG, "--name", NAME, "--tms", "PM", "--bottom-level", "12",
                      "--top-level", "8", "--compression", "png", "--mask", "--slab-width", "4", "--slab-height", "4",
                      "--resampling", "bicubic", "--jobs", "2")
    assert "0 slabs written" in log, log[-1500:]
    assert "already done" in log


_INPUT = {}


def pyramid_input_again():
    return _INPUT["tif"]


@pytest.fixture(autouse=True, scope="module")
def _remember(built):
    _INPUT["tif"] = built["tif"]


def test_world_file_input_with_input_crs(built):
    """A JPEG + .jgw (no CRS in the file): --input-crs gives it; JPEG pyramid in 16x16 slabs."""
    work = built["work"]
    jpg = str(work / "lyon.jpg")
    gdal.Translate(jpg, built["tif"], format="JPEG", creationOptions=["WORLDFILE=YES"])
    if os.path.exists(jpg + ".aux.xml"):
        os.remove(jpg + ".aux.xml")  # GDAL's side file would give the CRS; a bare JPEG + .wld has none
    assert os.path.exists(str(work / "lyon.wld"))
    name = NAME + "_WLD"
    r = subprocess.run([BIN, "pyramid", "raster", jpg, "--config", CONFIG, "--name", name, "--bottom-level", "11",
                        "--quiet"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 1 and "lyon.jpg" in r.stderr and "no CRS" in r.stderr, r.stderr
    log = run_pyramid(jpg, "--config", CONFIG, "--name", name, "--bottom-level", "11", "--input-crs", "EPSG:2154")
    assert "slabs written" in log
    with open(os.path.join(CONFIG, "pyramids", name + ".json")) as f:
        d = json.load(f)
    assert d["format"] == "TIFF_JPG_UINT8" and d["levels"][-1]["id"] == "11"
    assert d["levels"][0]["tile_limits"]["min_col"] == d["levels"][0]["tile_limits"]["max_col"]


def test_errors_name_the_input(built):
    bad = built["work"] / "bad.tif"
    bad.write_bytes(b"not a tiff")
    r = subprocess.run([BIN, "pyramid", "raster", str(bad), "--config", CONFIG, "--name", "BAD", "--bottom-level", "10"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "bad.tif" in r.stderr and "unreadable" in r.stderr
    assert not os.path.exists(os.path.join(CONFIG, "stored_data", "BAD.json"))


def test_interrupted_build_resumes_to_the_same_slabs(built):
    """SIGKILL in the middle of the bottom level, then the same command: finished slabs are kept, no temporary
    file is left, and every slab is byte for byte what an uninterrupted build writes."""
    import signal
    args = ["--config", CONFIG, "--tms", "PM", "--bottom-level", "14", "--top-level", "11", "--compression", "jpg",
            "--slab-width", "4", "--slab-height", "4", "--jobs", "2", "--quiet"]
    for n in ("ZZ_RESUME", "ZZ_CLEAN"):
        shutil.rmtree(os.path.join(CONFIG, "pyramids", n), ignore_errors=True)
    data = os.path.join(CONFIG, "pyramids", "ZZ_RESUME", "DATA", "14")
    p = subprocess.Popen([BIN, "pyramid", "raster", built["tif"], "--name", "ZZ_RESUME", *args])
    t0 = time.time()
    while time.time() - t0 < 120 and p.poll() is None:
        done = [f for _, _, fs in os.walk(data) for f in fs if f.endswith(".tif") and not f.startswith(".")]
        if len(done) >= 3:
            break
        time.sleep(0.02)
    assert p.poll() is None, "the build ended before it could be interrupted"
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not os.path.exists(os.path.join(CONFIG, "stored_data", "ZZ_RESUME.json"))
    log = run_pyramid(built["tif"], "--name", "ZZ_RESUME", *[a for a in args if a != "--quiet"])
    assert re.search(r"level 14 \d+/\d+ slabs \(100%, [1-9]\d* already done\)", log), log[-1500:]
    subprocess.run([BIN, "pyramid", "raster", built["tif"], "--name", "ZZ_CLEAN", *args], check=True, timeout=600)

    def slabs(n):
        root = os.path.join(CONFIG, "pyramids", n)
        out = {}
        for d, _, fs in os.walk(root):
            for f in fs:
                rel = os.path.relpath(os.path.join(d, f), root)
                with open(os.path.join(d, f), "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
        return out
    a, b = slabs("ZZ_RESUME"), slabs("ZZ_CLEAN")
    assert not [k for k in a if os.path.basename(k).startswith(".")]
    assert a == b and len(a) > 10
    for n in ("ZZ_RESUME", "ZZ_CLEAN"):
        os.remove(os.path.join(CONFIG, "stored_data", n + ".json"))


def test_update_by_reference(pyramid, built):
    """--update-from: a red square over part of the Lyon pyramid; slabs it does not touch are symbolic links to
    the previous pyramid's, listed under root 1; the reader sees the old tiles everywhere else and the square
    where it is."""
    import numpy as np
    from osgeo import osr
    patch = str(built["work"] / "patch.tif")
    ds = gdal.GetDriverByName("GTiff").Create(patch, 100, 100, 3, gdal.GDT_Byte)
    ds.SetGeoTransform([848000.0, 20, 0, 6522000.0, 0, -20])
    s = osr.SpatialReference()
    s.ImportFromEPSG(2154)
    ds.SetProjection(s.ExportToWkt())
    for b, v in ((1, 230), (2, 20), (3, 20)):
        ds.GetRasterBand(b).WriteArray(np.full((100, 100), v, dtype=np.uint8))
    ds = None
    name = NAME + "_UPD"
    log = run_pyramid(patch, "--config", CONFIG, "--name", name, "--tms", "PM", "--bottom-level", "12", "--top-level", "8",
                      "--compression", "png", "--mask", "--update-from", NAME, "--jobs", "2")
    assert re.search(r"\d+ slabs written, [1-9]\d* linked to " + NAME, log), log[-800:]
    root = os.path.join(CONFIG, "pyramids", name)
    links = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if os.path.islink(os.path.join(d, f))]
    assert links and all(os.path.exists(p) for p in links)
    lines = open(os.path.join(CONFIG, "pyramids", name + ".list")).read().splitlines()
    assert lines[:3] == [f"0={name}", f"1={NAME}", "#"]
    assert len([x for x in lines if x.startswith("1/")]) == len(links)
    reader = subprocess.run([rok4_python(), os.path.join(REPO, "Tests", "Clients", "rok4_read.py"),
                             os.path.join(CONFIG, "pyramids", name + ".json"), os.path.join(CONFIG, "tilematrixsets")],
                            capture_output=True, text=True, timeout=600)
    assert reader.returncode == 0, reader.stderr[-2000:]
    new, old = json.loads(reader.stdout)["levels"], pyramid["read"]["levels"]
    changed = {lid: [k for k in new[lid]["tiles"] if old[lid]["tiles"].get(k) != new[lid]["tiles"][k]] for lid in new}
    # The 2 km square: one or a few tiles per level change, every other tile is the old one.
    assert 1 <= len(changed["12"]) <= 4 and all(len(v) <= 4 for v in changed.values()), changed
    for lid in new:
        assert set(old[lid]["tiles"]) <= set(new[lid]["tiles"])
    os.remove(os.path.join(CONFIG, "stored_data", name + ".json"))


def test_float32_elevation_pyramid(built):
    """An Int16 elevation model with a nodata corner → TIFF_ZIP_FLOAT32, read by the reference reader as float32
    with the source's values, nodata where the source has none, on every level."""
    import numpy as np
    from osgeo import osr
    dem = str(built["work"] / "dem.tif")
    ds = gdal.GetDriverByName("GTiff").Create(dem, 600, 500, 1, gdal.GDT_Int16)
    ds.SetGeoTransform([830000.0, 50, 0, 6540000.0, 0, -50])
    s = osr.SpatialReference()
    s.ImportFromEPSG(2154)
    ds.SetProjection(s.ExportToWkt())
    yy, xx = np.mgrid[0:500, 0:600]
    a = (200 + xx * 0.5 + yy * 0.3).astype(np.int16)
    a[:50, :50] = -9999
    b = ds.GetRasterBand(1)
    b.SetNoDataValue(-9999)
    b.WriteArray(a)
    ds = None
    name = "ZZ_DEM"
    run_pyramid(dem, "--config", CONFIG, "--name", name, "--bottom-level", "13", "--compression", "zip",
                "--resampling", "linear", "--slab-width", "4", "--slab-height", "4", "--quiet")
    code = """
import json, os, sys
os.environ["ROK4_TMS_DIRECTORY"] = sys.argv[2]
from rok4.pyramid import Pyramid
p = Pyramid.from_descriptor(sys.argv[1])
out = {"format": p.format, "spec": p.raster_specifications, "levels": {}}
for lv in p.get_levels():
    lim = lv.tile_limits; lo, hi, nd, n = 1e9, -1e9, 0, 0
    for r in range(lim["min_row"], lim["max_row"] + 1):
        for c in range(lim["min_col"], lim["max_col"] + 1):
            t = p.get_tile_data_raster(lv.id, c, r)
            if t is None:
                continue
            n += 1
            v = t[t != -99999]
            nd += int((t == -99999).sum())
            if v.size:
                lo, hi = min(lo, float(v.min())), max(hi, float(v.max()))
            out["dtype"] = str(t.dtype)
    out["levels"][lv.id] = [lo, hi, nd, n]
print(json.dumps(out))
"""
    r = subprocess.run([rok4_python(), "-c", code, os.path.join(CONFIG, "pyramids", name + ".json"),
                        os.path.join(CONFIG, "tilematrixsets")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert d["format"] == "TIFF_ZIP_FLOAT32" and d["dtype"] == "float32"
    assert d["spec"]["channels"] == 1 and d["spec"]["nodata"] == "-99999"
    for lid, (lo, hi, nd, n) in d["levels"].items():
        assert n > 0 and 214.9 <= lo and hi <= 649.1, (lid, lo, hi)
        assert nd > 0, lid  # the nodata corner and the reprojected edges
    with open(os.path.join(CONFIG, "stored_data", name + ".json")) as f:
        sd = json.load(f)
    assert sd["type_infos"]["channels_format"] == "FLOAT32" and sd["type_infos"]["compression"] == "ZIP"
    os.remove(os.path.join(CONFIG, "stored_data", name + ".json"))
