"""WMTS and TMS through real clients: OWSLib, GDAL's WMTS driver; capabilities validated."""
import subprocess

from owslib.wmts import WebMapTileService

from conftest import BASE, http, validate


def test_wmts_capabilities_validate(tmp_path):
    r = http("/wmts", {"SERVICE": "WMTS", "REQUEST": "GetCapabilities", "VERSION": "1.0.0"})
    assert r.status == 200
    validate(r.body, "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd", tmp_path)


def test_owslib_reads_wmts_and_gets_a_tile():
    wmts = WebMapTileService(BASE + "/wmts")
    assert len(list(wmts.contents)) >= 1
    name = sorted(wmts.contents)[0]
    layer = wmts.contents[name]
    tms = list(layer.tilematrixsetlinks)[0]
    limits = layer.tilematrixsetlinks[tms].tilematrixlimits
    level = sorted(limits, key=lambda k: int(k) if k.isdigit() else 0)[0]
    lim = limits[level]
    tile = wmts.gettile(layer=name, tilematrixset=tms, tilematrix=level, row=lim.mintilerow, column=lim.mintilecol,
                        format=layer.formats[0])
    assert len(tile.read()) > 0


def test_gdal_opens_wmts():
    r = subprocess.run(["gdalinfo", f"WMTS:{BASE}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Size is" in r.stdout or "SUBDATASET_1_NAME" in r.stdout


def test_tms_root_lists_tile_maps():
    r = http("/tms/1.0.0")
    assert r.status == 200
    assert b"TileMap" in r.body


def test_vector_tile_decodes_as_mvt_with_its_layers(tmp_path):
    tilejson = http("/tms/1.0.0/rhone_admin/metadata.json").json()
    layer_ids = {v["id"] for v in tilejson["vector_layers"]}
    assert "communes" in layer_ids
    r = http("/tms/1.0.0/rhone_admin/12/2100/1458.pbf")
    assert r.status == 200 and r.headers["Content-Type"] == "application/x-protobuf"
    tile = tmp_path / "1458.pbf"
    tile.write_bytes(r.body)
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-oo", "X=2100", "-oo", "Y=1458", "-oo", "Z=12", str(tile)],
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert "communes" in info.stdout, info.stdout


def test_tile_http_semantics():
    url = "/tms/1.0.0/rhone_admin/12/2100/1458.pbf"
    r = http(url)
    etag = r.headers["ETag"]
    assert etag and r.headers["Content-Length"] == str(len(r.body))
    assert http(url, headers={"If-None-Match": etag}).status == 304
    head = http(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    # HEAD answers the headers GET would: the length of the tile, its validator.
    assert head.headers["Content-Length"] == str(len(r.body)) and head.headers["ETag"] == etag
    assert http("/tms/1.0.0/rhone_admin/12/0/0.pbf").status == 404
