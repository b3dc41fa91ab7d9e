"""WFS through real clients: OWSLib, GDAL's WFS driver (ogrinfo, ogr2ogr with paging), schema validation."""
import json
import os
import subprocess

import pytest
from owslib.wfs import WebFeatureService

from conftest import BASE, http, validate

PG = bool(os.environ.get("PASSERELLE_TEST_PG"))


@pytest.mark.parametrize("version,xsd", [("2.0.0", "schemas.opengis.net/wfs/2.0/wfs.xsd"),
                                         ("1.1.0", "schemas.opengis.net/wfs/1.1.0/wfs.xsd")])
def test_capabilities_validate(version, xsd, tmp_path):
    r = http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "VERSION": version})
    assert r.status == 200
    validate(r.body, xsd, tmp_path)


@pytest.mark.parametrize("version", ["2.0.0", "1.1.0"])
def test_owslib_reads_capabilities_and_features(version):
    wfs = WebFeatureService(BASE + "/wfs", version=version)
    names = set(wfs.contents)
    assert {"admin:regions", "admin:departements", "admin:communes"} <= names
    assert "restricted:communes" not in names  # private offering, other endpoint
    resp = wfs.getfeature(typename=["admin:departements"], outputFormat="application/json")
    fc = json.loads(resp.read())
    assert len(fc["features"]) == 96
    codes = {f["properties"]["code"] for f in fc["features"]}
    assert {"75", "69", "2A"} <= codes


def test_ogrinfo_lists_layers():
    r = subprocess.run(["ogrinfo", "-ro", "-q", f"WFS:{BASE}/wfs?VERSION=2.0.0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "admin:communes" in r.stdout and "admin:departements" in r.stdout


def test_ogr2ogr_copies_a_layer_with_paging(tmp_path):
    out = tmp_path / "communes.gpkg"
    r = subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), f"WFS:{BASE}/wfs?VERSION=2.0.0", "admin:communes",
                        "--config", "OGR_WFS_PAGING_ALLOWED", "ON", "--config", "OGR_WFS_PAGE_SIZE", "50"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    info = subprocess.run(["ogrinfo", "-so", "-ro", str(out), "admin:communes"], capture_output=True, text=True)
    counts = [int(l.split(":")[1]) for l in info.stdout.splitlines() if "Feature Count" in l]
    assert counts and counts[0] == 402, info.stdout


def test_geojson_paging_links_and_order():
    seen = []
    params = {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": "admin:communes",
              "OUTPUTFORMAT": "application/json", "COUNT": "100", "SORTBY": "nom ASC"}
    r = http("/wfs", params).json()
    assert r["numberMatched"] == 402 and r["numberReturned"] == 100
    seen += [f["id"] for f in r["features"]]
    for start in (100, 200, 300, 400):
        page = http("/wfs", dict(params, STARTINDEX=str(start))).json()
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == 402 and len(set(seen)) == 402


@pytest.mark.skipif(not PG, reason="needs the PostGIS test cluster")
def test_postgis_layer_through_owslib():
    wfs = WebFeatureService(BASE + "/wfs", version="2.0.0")
    assert "admin_pg:communes" in wfs.contents
    resp = wfs.getfeature(typename=["admin_pg:communes"], outputFormat="application/json",
                          bbox=(4.80, 45.74, 4.88, 45.78, "urn:ogc:def:crs:OGC:1.3:CRS84"))
    fc = json.loads(resp.read())
    names = {f["properties"]["nom"] for f in fc["features"]}
    assert any(n.startswith("Lyon") for n in names), names


EXPECTED_92 = 24  # communes of the demo with a code from 92001 to 92050
STORES = ["admin"] + (["admin_pg"] if PG else [])


@pytest.mark.parametrize("prefix", STORES)
def test_operations_on_each_store(prefix, tmp_path):
    """The same requests against the GeoPackage and the PostGIS copy of the communes give the same answers."""
    base = {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": f"{prefix}:communes",
            "OUTPUTFORMAT": "application/json"}
    hits = http("/wfs", dict(base, RESULTTYPE="hits"))
    assert hits.status == 200 and hits.json()["numberMatched"] == 402 and hits.json()["features"] == []
    saints = http("/wfs", dict(base, CQL_FILTER="nom LIKE 'Saint-%' AND departement = '69'", SORTBY="code DESC")).json()
    codes = [f["properties"]["code"] for f in saints["features"]]
    assert saints["numberMatched"] == 52 and len(codes) == 52 and codes == sorted(codes, reverse=True)
    fes = ("<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsBetween><fes:ValueReference>code"
           "</fes:ValueReference><fes:LowerBoundary><fes:Literal>92001</fes:Literal></fes:LowerBoundary><fes:UpperBoundary>"
           "<fes:Literal>92050</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween></fes:Filter>")
    paris = http("/wfs", dict(base, FILTER=fes)).json()
    assert paris["numberMatched"] == EXPECTED_92
    props = http("/wfs", dict(base, COUNT="3", PROPERTYNAME="nom")).json()
    assert all(set(f["properties"]) == {"nom"} for f in props["features"])
    gml = http("/wfs", dict(base, OUTPUTFORMAT="application/gml+xml; version=3.2", COUNT="2",
                            SRSNAME="urn:ogc:def:crs:EPSG::2154"))
    assert gml.status == 200 and b"wfs:FeatureCollection" in gml.body and b'srsName="urn:ogc:def:crs:EPSG::2154"' in gml.body
    dft = http("/wfs", {"SERVICE": "WFS", "REQUEST": "DescribeFeatureType", "VERSION": "2.0.0", "TYPENAMES": f"{prefix}:communes"})
    assert dft.status == 200 and b"xsd:schema" in dft.body or b"schema" in dft.body
    rid = paris["features"][0]["id"]
    byid = http("/wfs", dict(base, RESOURCEID=rid)).json()
    assert rid in [f["id"] for f in byid["features"]]
    assert all(f["id"] == rid for f in byid["features"])
