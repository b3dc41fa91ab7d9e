"""WMS through real clients: OWSLib and GDAL's WMS driver; capabilities validated."""
import os
import subprocess

import pytest
from owslib.wms import WebMapService

from conftest import BASE, http, validate

PG = bool(os.environ.get("PASSERELLE_TEST_PG"))


def test_capabilities_130_validate(tmp_path):
    r = http("/wms-v", {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"})
    assert r.status == 200
    # sld:GetLegendGraphic is an extended operation: SLD 1.1's capabilities schema imports WMS 1.3.0's.
    validate(r.body, "schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd", tmp_path)


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_owslib_getmap_png(version):
    wms = WebMapService(BASE + "/wms-v", version=version)
    assert len(list(wms.contents)) >= 1
    layer = sorted(wms.contents)[0]
    img = wms.getmap(layers=[layer], styles=[""], srs="EPSG:3857",
                     bbox=(500000, 5700000, 600000, 5800000), size=(256, 256), format="image/png", transparent=True)
    data = img.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_gdal_wms_driver_reads_a_layer(tmp_path):
    wms = WebMapService(BASE + "/wms-v", version="1.3.0")
    layer = sorted(wms.contents)[0]
    url = f"WMS:{BASE}/wms-v?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={layer}&SRS=EPSG:4326&BBOX=4.2,45.4,5.2,46.2"
    out = tmp_path / "out.png"
    r = subprocess.run(["gdal_translate", "-of", "PNG", "-outsize", "256", "256", url, str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 100


@pytest.mark.skipif(not PG, reason="needs the PostGIS test cluster")
def test_postgis_backed_wms_layer_renders():
    r = http("/wms-v", {"SERVICE": "WMS", "REQUEST": "GetMap", "VERSION": "1.3.0", "LAYERS": "admin_pg", "STYLES": "",
                        "CRS": "EPSG:4326", "BBOX": "45.6,4.7,45.9,5.0", "WIDTH": "128", "HEIGHT": "128", "FORMAT": "image/png"})
    assert r.status == 200 and r.body[:4] == b"\x89PNG"


def test_qgis_style_getmap():
    """What QGIS sends: vendor DPI parameters, lowercase keys mixed, transparent PNG, 1.3.0 lat/lon bbox."""
    wms = WebMapService(BASE + "/wms-v", version="1.3.0")
    layer = sorted(wms.contents)[0]
    r = http("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "BBOX": "45.55,4.65,45.95,5.05",
                        "CRS": "EPSG:4326", "WIDTH": "512", "HEIGHT": "512", "LAYERS": layer, "STYLES": "",
                        "FORMAT": "image/png", "DPI": "96", "MAP_RESOLUTION": "96", "FORMAT_OPTIONS": "dpi:96",
                        "TRANSPARENT": "TRUE"})
    assert r.status == 200 and r.body[:4] == b"\x89PNG"
    info = http("/wms-v", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "BBOX": "45.55,4.65,45.95,5.05",
                           "CRS": "EPSG:4326", "WIDTH": "512", "HEIGHT": "512", "LAYERS": layer, "QUERY_LAYERS": layer,
                           "STYLES": "", "FORMAT": "image/png", "INFO_FORMAT": "application/json", "I": "256", "J": "256",
                           "FEATURE_COUNT": "10"})
    assert info.status == 200
    names = [f["properties"].get("nom") for f in info.json()["features"]]
    assert any(n and n.startswith("Lyon") for n in names) or names, names


def test_wms_raster_capabilities_and_map(tmp_path):
    r = http("/wms-r", {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"})
    assert r.status == 200
    validate(r.body, "schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd", tmp_path)
    m = http("/wms-r", {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "france_relief", "STYLES": "",
                        "CRS": "EPSG:2154", "BBOX": "600000,6300000,900000,6600000", "WIDTH": "200", "HEIGHT": "200",
                        "FORMAT": "image/jpeg"})
    assert m.status == 200 and m.body[:2] == b"\xff\xd8"
