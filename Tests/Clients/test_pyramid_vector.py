"""`passerelle pyramid vector` on the demo GeoPackage stored data: two tables with their levels and attributes,
a sample area around Lyon; the reference ROK4 reader reads every tile, GDAL's MVT driver decodes them with the
chosen attributes only, the server serves the same bytes over TMS and lists each table with its levels in
the TileJSON."""
import hashlib
import json
import os
import subprocess

import pytest
from osgeo import ogr

from conftest import http
from test_pyramid_raster import BIN, CONFIG, REPO, publish, rok4_python, wait_for

NAME = "ZZ_VECTOR_LYON"
LAYER = "zz_vector_lyon"
AREA = "POLYGON((4.75 45.70,4.95 45.70,4.95 45.82,4.75 45.82,4.75 45.70))"


@pytest.fixture(scope="module")
def vector():
    assert CONFIG and os.path.exists(BIN)
    r = subprocess.run([BIN, "pyramid", "vector", "--config", CONFIG, "--stored-data", "france-demo", "--name", NAME,
                        "--table", "departements:5:11:code", "--table", "communes:9:12:code,nom", "--sample-area", AREA,
                        "--generalisation", "light", "--slab-width", "4", "--slab-height", "4"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    desc = os.path.join(CONFIG, "pyramids", NAME + ".json")
    reader = subprocess.run([rok4_python(), os.path.join(REPO, "Tests", "Clients", "rok4_read.py"), desc,
                             os.path.join(CONFIG, "tilematrixsets")], capture_output=True, text=True, timeout=600)
    assert reader.returncode == 0, reader.stderr[-3000:]
    made = publish(LAYER, NAME, [str(z) for z in range(5, 13)], fmt_endpoints=("wmts",))
    with open(desc) as f:
        d = json.load(f)
    yield {"log": r.stderr, "read": json.loads(reader.stdout), "desc": d}
    for p in made + [os.path.join(CONFIG, "stored_data", NAME + ".json")]:
        if os.path.exists(p):
            os.remove(p)


def test_descriptor_tables_per_level(vector):
    d = vector["desc"]
    assert d["format"] == "TIFF_PBF_MVT" and "raster_specifications" not in d
    levels = {lv["id"]: lv for lv in d["levels"]}
    assert sorted(levels, key=int) == [str(z) for z in range(5, 13)]
    assert [t["name"] for t in levels["5"]["tables"]] == ["departements"]
    assert [t["name"] for t in levels["10"]["tables"]] == ["departements", "communes"]
    assert [t["name"] for t in levels["12"]["tables"]] == ["communes"]
    communes = levels["12"]["tables"][0]
    assert [a["name"] for a in communes["attributes"]] == ["code", "nom"] and communes["geometry"] == "MULTIPOLYGON"
    assert all(a["count"] > 10 for a in communes["attributes"])
    dep = levels["5"]["tables"][0]["attributes"]
    assert dep == [{"name": "code", "type": "string", "count": len(dep[0]["values"]), "values": dep[0]["values"]}]
    assert "69" in dep[0]["values"]
    with open(os.path.join(CONFIG, "stored_data", NAME + ".json")) as f:
        sd = json.load(f)
    assert sd["type"] == "ROK4-PYRAMID-VECTOR" and sd["type_infos"]["levels"] == [str(z) for z in range(5, 13)]


def test_tiles_decode_with_the_chosen_attributes_only(vector, tmp_path):
    rd = vector["read"]
    assert rd["format"] == "TIFF_PBF_MVT"
    seen = {}
    for lid, lv in rd["levels"].items():
        assert lv["tiles"], lid
        key = sorted(lv["tiles"])[len(lv["tiles"]) // 2]
        col, row = key.split(",")
        body = http(f"/tms/1.0.0/{LAYER}/{lid}/{col}/{row}.pbf").body if wait_for(lambda: http(f"/tms/1.0.0/{LAYER}").status == 200) else b""
        p = tmp_path / f"{lid}.pbf"
        p.write_bytes(body)
        ds = ogr.Open(f"MVT:{p}") or ogr.GetDriverByName("MVT").Open(str(p))
        assert ds is not None, lid
        for i in range(ds.GetLayerCount()):
            lyr = ds.GetLayer(i)
            d = lyr.GetLayerDefn()
            # mvt_id is the MVT feature id GDAL exposes, not an attribute.
            fields = sorted(n for n in (d.GetFieldDefn(k).GetName() for k in range(d.GetFieldCount())) if n != "mvt_id")
            seen.setdefault(lyr.GetName(), set()).add(tuple(fields))
            assert lyr.GetFeatureCount() > 0
    assert seen["departements"] == {("code",)}
    assert seen["communes"] == {("code", "nom")}


def test_every_tile_served_as_the_reader_reads_it(vector):
    rd = vector["read"]
    assert wait_for(lambda: http(f"/tms/1.0.0/{LAYER}").status == 200)
    n = 0
    for lid, lv in rd["levels"].items():
        lim = lv["limits"]
        for row in range(lim["min_row"] - 1, lim["max_row"] + 2):
            for col in range(lim["min_col"] - 1, lim["max_col"] + 2):
                r = http(f"/tms/1.0.0/{LAYER}/{lid}/{col}/{row}.pbf")
                key = f"{col},{row}"
                if key in lv["tiles"]:
                    assert r.status == 200 and hashlib.sha256(r.body).hexdigest() == lv["tiles"][key], (lid, key)
                    n += 1
                else:
                    # A vector tile of the matrix without data: 204 No Content.
                    assert r.status == 204 and r.body == b"", (lid, key, r.status)
    assert n == sum(len(lv["tiles"]) for lv in rd["levels"].values()) and n > 20


def test_tilejson_lists_each_table_with_its_levels(vector):
    assert wait_for(lambda: http(f"/tms/1.0.0/{LAYER}/metadata.json").status == 200)
    tj = http(f"/tms/1.0.0/{LAYER}/metadata.json").json()
    layers = {v["id"]: v for v in tj["vector_layers"]}
    assert (layers["departements"]["minzoom"], layers["departements"]["maxzoom"]) == (5, 11)
    assert (layers["communes"]["minzoom"], layers["communes"]["maxzoom"]) == (9, 12)
    assert set(layers["communes"]["fields"]) == {"code", "nom"}


def test_sample_area_limits_the_tiles(vector):
    lv = vector["read"]["levels"]["12"]["limits"]
    # Level 12 tiles are 9.8 km wide: the 0.2 x 0.12 degree area spans 3 x 3 or so, not all of the Rhône.
    assert lv["max_col"] - lv["min_col"] + 1 <= 4 and lv["max_row"] - lv["min_row"] + 1 <= 4


def test_unknown_attribute_is_an_error():
    r = subprocess.run([BIN, "pyramid", "vector", "--config", CONFIG, "--stored-data", "france-demo", "--name", "ZZ_BAD",
                        "--table", "communes:9:12:population"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "no attribute population" in r.stderr


@pytest.mark.skipif(not os.environ.get("PASSERELLE_TEST_PG"), reason="no PostGIS test cluster (run through scripts/test.sh)")
def test_vector_pyramid_from_postgis(tmp_path):
    """The same processing from the PostGIS stored data (a libpq URL in PASSERELLE_TEST_PG): the tables read
    through GDAL's PG driver, tiles read back by the reference reader with the chosen attributes."""
    name = "ZZ_VECTOR_PG"
    r = subprocess.run([BIN, "pyramid", "vector", "--config", CONFIG, "--stored-data", "france-pg", "--name", name,
                        "--table", "departements:5:9:code", "--table", "communes:8:10:code,nom", "--sample-area", AREA,
                        "--quiet"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    code = """
import json, os, sys
os.environ["ROK4_TMS_DIRECTORY"] = sys.argv[2]
from rok4.pyramid import Pyramid
p = Pyramid.from_descriptor(sys.argv[1])
props = {}
for lv in p.get_levels():
    lim = lv.tile_limits
    for r in range(lim["min_row"], lim["max_row"] + 1):
        for c in range(lim["min_col"], lim["max_col"] + 1):
            t = p.get_tile_data_vector(lv.id, c, r)
            for name, layer in (t or {}).items():
                for f in layer["features"]:
                    props.setdefault(name, set()).update(f["properties"])
print(json.dumps({k: sorted(v) for k, v in props.items()}))
"""
    rd = subprocess.run([rok4_python(), "-c", code, os.path.join(CONFIG, "pyramids", name + ".json"),
                         os.path.join(CONFIG, "tilematrixsets")], capture_output=True, text=True, timeout=300)
    assert rd.returncode == 0, rd.stderr[-2000:]
    assert json.loads(rd.stdout) == {"departements": ["code"], "communes": ["code", "nom"]}
    os.remove(os.path.join(CONFIG, "stored_data", name + ".json"))
