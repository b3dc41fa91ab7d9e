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
    validate(r.body, "schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd", tmp_path)


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
