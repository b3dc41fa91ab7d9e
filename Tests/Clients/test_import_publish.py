"""From a user's file to a live service with the command line: `passerelle import` (checks, PostGIS), then
`passerelle publish wfs|wms-vector`, against the running test server and the throwaway PostGIS cluster.

Every input is made here with GDAL's Python bindings from the demo GeoPackage, including broken ones (invalid
polygon, unknown CRS, Latin-1 text, reserved column names, empty layer)."""
import json
import os
import subprocess
import time
import uuid
import zipfile

import pytest
from osgeo import gdal, ogr, osr

from conftest import CONFIG, http

gdal.UseExceptions()
PG = os.environ.get("PASSERELLE_TEST_PG", "")
BIN = os.environ.get("PASSERELLE_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle"))
DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "config", "data", "france-demo.gpkg")
pytestmark = pytest.mark.skipif(not PG, reason="needs the PostGIS test cluster")

SCHEMA = "imp_" + uuid.uuid4().hex[:8]


def passerelle(*args, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=300)


def import_file(tmp_path, *paths, name, extra=()):
    report = tmp_path / f"{name}-report.json"
    r = passerelle("import", *map(str, paths), "--config", CONFIG, "--name", name, "--schema", SCHEMA,
                   "--connection-env", "PASSERELLE_TEST_PG", "--report", str(report), *extra)
    return r, json.loads(report.read_text())


def psql(sql):
    r = subprocess.run(["psql", PG, "-XtAc", sql], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def tables():
    return set(filter(None, psql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{SCHEMA}'").split("\n")))


def communes_of(dept, out, driver, **kw):
    """A few communes of the demo, written by GDAL in another format."""
    gdal.VectorTranslate(str(out), DEMO, format=driver, layers=["communes"], where=f"departement = '{dept}'", **kw)
    return out


def failures(report, check=None):
    return [c for c in report["checks"] if c["status"] == "failure" and (check is None or c["check"] == check)]


def wait_for(predicate, seconds=5.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def hits(typename):
    r = http("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": typename, "RESULTTYPE": "hits"})
    if r.status != 200:
        return None
    import re
    m = re.search(rb'numberMatched="(\d+)"', r.body)
    return int(m.group(1)) if m else None


@pytest.fixture(scope="module", autouse=True)
def cleanup():
    """Leaves the server's config and the database as they were: what was published and imported goes."""
    yield
    if not PG:
        return
    for folder in ("offerings", "configurations", "stored_data"):
        d = os.path.join(CONFIG, folder)
        for f in os.listdir(d):
            if f.startswith(("imported-demo", "fmt-", "bad-polygon", "latin1", "names", "ortho", "empty", "dupids")):
                os.remove(os.path.join(d, f))
    # The server lets go of what was removed before the tables go.
    wait_for(lambda: not any(o.startswith("imported-demo") for o in http("/status").json()["loaded"]["offerings"]))
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def test_demo_geopackage_to_live_wfs_and_wms(tmp_path):
    r, report = import_file(tmp_path, DEMO, name="imported-demo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert report["outcome"] == "integrated"
    assert {l["table"]: l["features"] for l in report["layers"]} == {"regions": 13, "departements": 96, "communes": 402}
    assert {"regions", "departements", "communes"} <= tables()
    stored = json.load(open(os.path.join(CONFIG, "stored_data", "imported-demo.json")))
    rel = {x["name"]: x for x in stored["type_infos"]["relations"]}
    assert rel["communes"]["primary_key"] == ["fid"]
    assert rel["communes"]["attributes"]["geom"] == "geometry(MultiPolygon,4326)"
    west, south = stored["extent"]["coordinates"][0][0]
    assert -5.3 < west < -5.0 and 41.2 < south < 41.5

    r = passerelle("publish", "wfs", "--config", CONFIG, "--stored-data", "imported-demo", "--layer-name", "imported",
                   "--table-title", "communes=Communes importées")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "/wfs?SERVICE=WFS&REQUEST=GetCapabilities" in r.stdout
    r = passerelle("publish", "wms-vector", "--config", CONFIG, "--stored-data", "imported-demo", "--layer-name", "imported")
    assert r.returncode == 0, r.stdout + r.stderr

    assert wait_for(lambda: hits("imported:communes") == 402), "the WFS did not pick up the publication"
    caps = http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).text
    assert "Communes importées" in caps
    assert wait_for(lambda: "<Name>imported</Name>" in http("/wms-v", {"SERVICE": "WMS", "REQUEST": "GetCapabilities"}).text), \
        "the WMS did not pick up the publication"
    m = http("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "imported", "STYLES": "",
                        "CRS": "EPSG:4326", "BBOX": "45.4,4.2,46.4,5.2", "WIDTH": "256", "HEIGHT": "256", "FORMAT": "image/png"})
    assert m.status == 200 and m.headers["Content-Type"] == "image/png", m.body[:300]
    (tmp_path / "map.png").write_bytes(m.body)
    ds = gdal.Open(str(tmp_path / "map.png"))
    assert ds.RasterCount >= 3
    assert ds.GetRasterBand(1).ComputeRasterMinMax(False)[0] < 250, "the map has nothing drawn"

    # Re-importing replaces the tables under the running service.
    smaller = tmp_path / "paris.gpkg"
    gdal.VectorTranslate(str(smaller), DEMO, format="GPKG", layers=["regions", "departements"])
    gdal.VectorTranslate(str(smaller), DEMO, format="GPKG", accessMode="update", layers=["communes"], where="departement = '75'")
    r, report = import_file(tmp_path, smaller, name="imported-demo")
    assert report["outcome"] == "integrated", r.stdout
    paris = {l["table"]: l["features"] for l in report["layers"]}["communes"]
    assert 0 < paris < 402
    assert wait_for(lambda: hits("imported:communes") == paris)

    r = passerelle("unpublish", "imported-demo-wfs", "--config", CONFIG, "--configuration")
    assert r.returncode == 0, r.stdout + r.stderr
    assert wait_for(lambda: "imported:communes" not in http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).text)
    assert not os.path.exists(os.path.join(CONFIG, "configurations", "imported-demo-wfs.json"))


@pytest.mark.parametrize("fmt", ["geojson", "shp.zip", "csv-wkt", "csv-lonlat", "fgb"])
def test_every_format_imports(tmp_path, fmt):
    if fmt == "geojson":
        src = communes_of("69", tmp_path / "c.geojson", "GeoJSON")
    elif fmt == "shp.zip":
        shp = communes_of("69", tmp_path / "communes_l93.shp", "ESRI Shapefile", dstSRS="EPSG:2154")
        src = tmp_path / "communes_l93.zip"
        with zipfile.ZipFile(src, "w") as z:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                p = tmp_path / f"communes_l93.{ext}"
                if p.exists():
                    z.write(p, p.name)
    elif fmt == "csv-wkt":
        src = communes_of("69", tmp_path / "c.csv", "CSV", layerCreationOptions=["GEOMETRY=AS_WKT"])
    elif fmt == "csv-lonlat":
        src = tmp_path / "gares.csv"
        src.write_text("nom,lon,lat\nLyon Part-Dieu,4.8597,45.7606\nLyon Perrache,4.8262,45.7485\n")
    else:
        src = communes_of("69", tmp_path / "c.fgb", "FlatGeobuf")
    extra = ["--srs", "EPSG:4326"] if fmt.startswith("csv") else []
    name = "fmt-" + fmt.replace(".", "-")
    r, report = import_file(tmp_path, src, name=name, extra=[*extra, "--table-prefix", name.replace("-", "_") + "_"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert report["outcome"] == "integrated"
    layer = report["layers"][0]
    expected = {"geojson": ("MultiPolygon", 4326), "shp.zip": ("MultiPolygon", 2154), "csv-wkt": ("MultiPolygon", 4326),
                "csv-lonlat": ("Point", 4326), "fgb": ("MultiPolygon", 4326)}[fmt]
    assert (layer["geometry_type"], layer["srid"]) == expected
    count = int(psql(f"SELECT count(*) FROM {SCHEMA}.{layer['table']} WHERE ST_IsValid(geom)"))
    assert count == layer["features"] > 0


def test_invalid_polygon_is_refused_then_repaired_when_asked(tmp_path):
    src = tmp_path / "bad.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nom": "ok"}, "geometry": {"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7], [4.9, 45.8], [4.8, 45.7]]]}},
        {"type": "Feature", "properties": {"nom": "bowtie"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
    ]}))
    before = tables()
    r, report = import_file(tmp_path, src, name="bad-polygon")
    assert r.returncode == 1 and report["outcome"] == "refused"
    (f,) = failures(report, "validity")
    assert f["layer"] == "bad" and f["feature"] == 2 and "Self-intersection" in f["reason"]
    assert tables() == before, "a refused import left a table behind"
    assert not os.path.exists(os.path.join(CONFIG, "stored_data", "bad-polygon.json"))

    r, report = import_file(tmp_path, src, name="bad-polygon", extra=["--make-valid"])
    assert report["outcome"] == "integrated", r.stdout
    assert psql(f"SELECT bool_and(ST_IsValid(geom)) FROM {SCHEMA}.bad") == "t"
    assert psql(f"SELECT GeometryType(geom) FROM {SCHEMA}.bad WHERE nom = 'bowtie'") == "MULTIPOLYGON"


def test_unknown_crs_is_refused(tmp_path):
    shp = communes_of("69", tmp_path / "ortho.shp", "ESRI Shapefile",
                      dstSRS="+proj=ortho +lat_0=45.7 +lon_0=4.8 +ellps=WGS84 +units=m +no_defs")
    before = tables()
    r, report = import_file(tmp_path, shp, name="ortho")
    assert report["outcome"] == "refused", r.stdout
    (f,) = failures(report, "crs")
    assert "EPSG" in f["reason"]
    assert tables() == before


def test_latin1_text_is_refused_unless_declared(tmp_path):
    src = tmp_path / "latin1.csv"
    src.write_bytes("nom,wkt\n".encode() + "Créteil,POINT (2.45 48.79)\n".encode("latin-1"))
    r, report = import_file(tmp_path, src, name="latin1", extra=["--srs", "EPSG:4326"])
    assert report["outcome"] == "refused"
    (f,) = failures(report, "encoding")
    assert f["field"] == "nom" and f["feature"] == 1
    r, report = import_file(tmp_path, src, name="latin1", extra=["--srs", "EPSG:4326", "--encoding", "LATIN1"])
    assert report["outcome"] == "integrated", r.stdout
    assert psql(f"SELECT nom FROM {SCHEMA}.latin1") == "Créteil"


def test_reserved_and_accented_column_names_are_normalised(tmp_path):
    src = tmp_path / "names.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"order": 1, "Nom Commune": "Lyon", "Département": "69", "2020": 5},
         "geometry": {"type": "Point", "coordinates": [4.83, 45.76]}}]}))
    r, report = import_file(tmp_path, src, name="names")
    assert report["outcome"] == "integrated", r.stdout
    assert report["layers"][0]["renamed"] == {"order": "order_", "Nom Commune": "nom_commune", "Département": "departement", "2020": "_2020"}
    assert {c["name"] for c in report["layers"][0]["columns"]} == {"fid", "order_", "nom_commune", "departement", "_2020", "geom"}
    warnings = [c for c in report["checks"] if c["check"] == "attribute_names" and c["status"] == "warning"]
    assert len(warnings) == 4


def test_empty_layer_is_refused(tmp_path):
    src = tmp_path / "empty.gpkg"
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(src))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds.CreateLayer("vide", srs, ogr.wkbMultiPolygon)
    ds = None
    r, report = import_file(tmp_path, src, name="empty")
    assert report["outcome"] == "refused"
    assert failures(report, "not_empty")
    assert "vide" not in tables()


def test_duplicate_feature_ids_are_refused_and_the_other_layers_still_checked(tmp_path):
    """A GeoPackage view whose fid repeats (a UNION ALL): its key fails; the layer after it is still read and
    checked for the report, and nothing stays."""
    import sqlite3
    src = tmp_path / "dupids.gpkg"
    gdal.VectorTranslate(str(src), DEMO, format="GPKG", layers=["regions"])
    db = sqlite3.connect(str(src))
    db.execute("CREATE VIEW doubled AS SELECT fid, geom, nom FROM regions UNION ALL SELECT fid, geom, nom FROM regions")
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('doubled', 'features', 'doubled', 4326)")
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('doubled', 'geom', 'MULTIPOLYGON', 4326, 0, 0)")
    db.execute("CREATE VIEW zz_bad AS SELECT fid, geom, CAST(X'E9' AS TEXT) AS nom FROM regions")
    db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('zz_bad', 'features', 'zz_bad', 4326)")
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('zz_bad', 'geom', 'MULTIPOLYGON', 4326, 0, 0)")
    db.commit()
    db.close()
    before = tables()
    r, report = import_file(tmp_path, src, name="dupids")
    assert report["outcome"] == "refused", r.stdout
    (f,) = failures(report, "primary_key")
    assert f["layer"] == "doubled" and "not unique" in f["reason"]
    assert failures(report, "encoding") and failures(report, "encoding")[0]["layer"] == "zz_bad"
    assert tables() == before, "a refused import left a table behind"


def test_publish_refuses_what_would_not_serve(tmp_path):
    r = passerelle("publish", "wfs", "--config", CONFIG, "--stored-data", "no-such-data")
    assert r.returncode == 1 and "no stored data no-such-data" in r.stdout
    r = passerelle("publish", "tms", "--config", CONFIG, "--stored-data", "france-demo")
    assert r.returncode == 1 and "pyramid" in r.stdout
    r = passerelle("publish", "wfs", "--config", CONFIG, "--stored-data", "france-demo", "--endpoint", "wfs", "--restricted")
    assert r.returncode == 1 and "private endpoint" in r.stdout
